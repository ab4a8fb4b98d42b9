/**
 * The playbook's fixed vocabulary, free of any validation library so that every handler can use it
 * without bundling the plan schema.
 */

/** The five gated stages of the playbook, in playbook order. */
export const STAGE_KEYS = [
  'target-account-selection',
  'door-opener',
  'joint-discovery',
  'joint-pursuit-and-proof',
  'close-register-review',
] as const;
export type StageKey = (typeof STAGE_KEYS)[number];

/** The three parties to a co-sell plan. */
export const PARTIES = ['vendor', 'partner', 'customer'] as const;
export type Party = (typeof PARTIES)[number];

export function isStageKey(value: unknown): value is StageKey {
  return (STAGE_KEYS as readonly unknown[]).includes(value);
}

export function isParty(value: unknown): value is Party {
  return (PARTIES as readonly unknown[]).includes(value);
}
