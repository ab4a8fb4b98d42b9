import { STAGE_KEYS, type StageKey } from './vocabulary';

export { isStageKey } from './vocabulary';

/** The five gated stages: what each one is for, and the evidence its gate asks for. */
export const STAGES: Record<
  StageKey,
  { number: number; title: string; criterion: string; evidence: string }
> = {
  'target-account-selection': {
    number: 1,
    title: 'Target account selection',
    criterion: 'A named account that both vendor and partner commit to working',
    evidence: 'your commitment to work this account',
  },
  'door-opener': {
    number: 2,
    title: 'Door-opener move',
    criterion: 'A first joint conversation booked',
    evidence: 'the date of the booked meeting',
  },
  'joint-discovery': {
    number: 3,
    title: 'Joint discovery',
    criterion: "A shared, written understanding of the customer's need and buying process",
    evidence: 'a link to the shared account brief',
  },
  'joint-pursuit-and-proof': {
    number: 4,
    title: 'Joint pursuit and proof',
    criterion: 'A customer-confirmed path to a decision',
    evidence: "the customer's confirmation of the path to a decision",
  },
  'close-register-review': {
    number: 5,
    title: 'Close, register, review',
    criterion: 'A logged outcome, the deal registered with its attribution, and a captured lesson',
    evidence: 'the outcome, the final ARR and the lesson learned',
  },
};

export function nextStage(stage: StageKey): StageKey | undefined {
  return STAGE_KEYS[STAGE_KEYS.indexOf(stage) + 1];
}
