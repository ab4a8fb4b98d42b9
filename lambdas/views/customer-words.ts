import type { Deal } from '../domain/deal';
import type { LinkedAsk } from '../domain/notifications';
import type { Party, StageKey } from '../domain/vocabulary';

/**
 * The customer's language: what emails and pages say to the customer's people. No "gate", "attribution",
 * "registered", "stage N of 5" or "ladder": what is asked of them, and why it matters to them. A test
 * checks every customer-facing template against BANNED_FOR_CUSTOMERS.
 */
export const BANNED_FOR_CUSTOMERS = [
  /\bgates?\b/i,
  /attribution/i,
  /\bregister(ed)?\b/i,
  /stage \d of 5/i,
  /\bladders?\b/i,
];

/** For customer readers: what each step is about (the plan's exit criteria are the co-sellers' words). */
export const CUSTOMER_STEPS: Record<StageKey, string> = {
  'target-account-selection': 'Both companies agree to work together on your project.',
  'door-opener': 'A first conversation with you is booked.',
  'joint-discovery': 'A shared, written summary of what you need and how you decide.',
  'joint-pursuit-and-proof': 'You confirm the path to a decision, so nobody works on the wrong thing.',
  'close-register-review': 'Your decision is recorded, and we capture what we learned together.',
};

/** The steps' names for customer readers ("Close, register, review" is the co-sellers' name). */
export const CUSTOMER_TITLES: Record<StageKey, string> = {
  'target-account-selection': 'Getting started',
  'door-opener': 'First conversation',
  'joint-discovery': 'Understanding your needs',
  'joint-pursuit-and-proof': 'Proof and path to a decision',
  'close-register-review': 'Decision and review',
};

/** Why a customer's confirmation matters to them, by step. */
export const CUSTOMER_WHY: Record<StageKey, string> = {
  'target-account-selection': 'It tells both teams you want them to work on this together.',
  'door-opener': 'It lets both teams prepare the first conversation around you.',
  'joint-discovery': 'It makes sure both teams understood what you need before they propose anything.',
  'joint-pursuit-and-proof':
    'Your confirmation means both teams work toward the decision you described, on your timeline.',
  'close-register-review': 'It closes the project and records what worked for you.',
};

export function isCustomer(party: Party | undefined): boolean {
  return party === 'customer';
}

/** The same asks with customer-facing labels and, for the confirmation, the customer's words. */
export function forCustomer(deal: Deal, stage: StageKey, asks: LinkedAsk[]): LinkedAsk[] {
  return asks.map((a) =>
    a.action === 'confirm-gate'
      ? { ...a, label: 'Confirm', about: CUSTOMER_STEPS[stage] ?? deal.plan.stages[stage].exit }
      : a,
  );
}

/** "Acme, Northwind and Globex": who the vendor, the partner and the customer are. */
export function whoIsWho(deal: Deal, vendorName: string): string {
  return `${vendorName} (vendor), ${deal.plan.partner.name} (partner) and ${deal.plan.account.name} (customer)`;
}

/**
 * Text the domain wrote for the co-sellers (agenda lines, digest items), put in the customer's words: the
 * stage-5 name, and the gate phrases the agenda uses.
 */
export function inCustomerWords(text: string): string {
  return text
    .replace(/Close, register, review/g, CUSTOMER_TITLES['close-register-review'])
    .replace(/\bgate passed\b/gi, 'agreed by everyone')
    .replace(/\bgate past its deadline\b/gi, 'past its planned date')
    .replace(/\bthe gate to pass\b/gi, 'everyone to agree')
    .replace(/\bpass the gate\b/gi, 'agree the step')
    .replace(/\bconfirm the gate\b/gi, 'confirm')
    .replace(/\bgates?\b/gi, 'step')
    .replace(/\bstage (\d) of 5\b/gi, 'step $1')
    .replace(/\bladders?\b/gi, 'contacts')
    .replace(/\bregistered\b/gi, 'recorded')
    .replace(/\battribution\b/gi, 'credit');
}
