import * as z from 'zod/mini';
import './zod-locale';

import { STAGE_KEYS } from '../domain/vocabulary';
import { planSchema } from './plan.schema';
import { formatIssues, ValidationError } from './validation';

/**
 * A partner-level plan (`kind: PartnerPlan`): the accounts worked with one partner, the default motion, the
 * owners on both sides, the credit rules, the review cadence and a quarterly target. Deal plans name their
 * partner; a deal whose account is not on its partner's list is flagged (`accountOnPartnerPlan`).
 *
 * The scalars (names, emails, time zones, currency, cadence) are the deal plan's own schemas, taken from its
 * shape, so both files read and fail the same way.
 */

export const PARTNER_PLAN_LIMITS = {
  targetAccounts: 500,
} as const;

/** When a deal counts as partner-sourced. */
export const SOURCED_RULES = [
  /** The partner brought the account and the opportunity to the vendor. */
  'partner-brought-deal',
  /** The partner registered the opportunity before the vendor had it in its CRM. */
  'partner-registered-first',
  /** The partner booked the first joint conversation (the door-opener gate). */
  'partner-opened-door',
] as const;

/** When a deal counts as partner-influenced (and not sourced). */
export const INFLUENCED_RULES = [
  /** The partner did work on the deal in any stage before the close. */
  'partner-worked-deal',
  /** The partner confirmed at least one gate. */
  'partner-confirmed-a-gate',
  /** The partner owned or co-ran the proof (stage 4). */
  'partner-ran-proof',
] as const;

const plan = planSchema.shape;
const namedOwner = plan.owners.shape.vendor;
const timeZone = plan.cadence.shape.timezone;
const nameText = plan.account.shape.name;
const domain = plan.account.shape.domain;
const longText = plan.account.shape.context;
const currency = plan.jointOutcome.shape.arr.shape.currency;
const money = plan.jointOutcome.shape.arr.shape.max;

/** Owners of a partner plan carry their time zone: there is no deal-level default to fall back on. */
const ownerSchema = z.strictObject({ ...namedOwner.shape, timezone: timeZone });

const targetAccountSchema = z.strictObject({ name: nameText, domain });

const normalName = (name: string) => name.trim().replace(/\s+/g, ' ').toLowerCase();
const normalDomain = (host: string) => host.trim().toLowerCase().replace(/\.$/, '');

const targetAccountsSchema = z.array(targetAccountSchema).check(
  z.minLength(1, 'a partner plan names at least one target account'),
  z.maxLength(
    PARTNER_PLAN_LIMITS.targetAccounts,
    `a partner plan names at most ${PARTNER_PLAN_LIMITS.targetAccounts} target accounts`,
  ),
  z.superRefine((accounts, ctx) => {
    const names = new Map<string, number>();
    const domains = new Map<string, number>();
    accounts.forEach((account, index) => {
      const name = normalName(account.name);
      const first = names.get(name);
      if (first === undefined) names.set(name, index);
      else {
        ctx.addIssue({
          code: 'custom',
          message: `"${account.name}" is already listed at targetAccounts[${first}]`,
          path: [index, 'name'],
          input: account.name,
        });
      }
      if (account.domain === undefined) return;
      const host = normalDomain(account.domain);
      const firstDomain = domains.get(host);
      if (firstDomain === undefined) domains.set(host, index);
      else {
        ctx.addIssue({
          code: 'custom',
          message: `${account.domain} is already listed at targetAccounts[${firstDomain}]`,
          path: [index, 'domain'],
          input: account.domain,
        });
      }
    });
  }),
  z.describe('The named accounts worked with this partner; a deal for any other account is flagged.'),
);

const motionSchema = z
  .strictObject({
    fronts: z.enum(['vendor', 'partner']),
    partnerJoinsAt: z.enum(STAGE_KEYS),
    notes: z.optional(longText),
  })
  .check(
    z.describe(
      'The default motion: who fronts with the customer, and the stage at which the partner comes in.',
    ),
  );

const creditRulesSchema = z
  .strictObject({
    sourcedIf: z.enum(SOURCED_RULES),
    influencedIf: z.enum(INFLUENCED_RULES),
    text: longText,
  })
  .check(
    z.describe(
      'When a deal counts as partner-sourced and when as partner-influenced, agreed before deals are in flight.',
    ),
  );

const QUARTER = /^\d{4}-Q[1-4]$/;

const quarterlyTargetSchema = z
  .strictObject({
    quarter: z
      .string()
      .check(z.regex(QUARTER, 'must be a calendar quarter written YYYY-Qn, such as 2027-Q1')),
    arr: money.check(z.positive('must be more than 0')),
    currency,
  })
  .check(z.describe('Won ARR expected from this partner in one calendar quarter.'));

const partnerPlanObject = z.strictObject({
  apiVersion: z.literal('cosell/v1'),
  kind: z.literal('PartnerPlan'),
  partner: plan.partner,
  owners: z
    .strictObject({ vendor: ownerSchema, partner: ownerSchema })
    .check(z.describe('The named owners of the partnership on each side.')),
  targetAccounts: targetAccountsSchema,
  motion: motionSchema,
  creditRules: creditRulesSchema,
  cadence: plan.cadence,
  quarterlyTarget: quarterlyTargetSchema,
  programCost: z.optional(
    z
      .strictObject({ amount: money, currency })
      .check(
        z.describe(
          "What this partnership costs per quarter (people, MDF, tools): the program report's return for the partner.",
        ),
      ),
  ),
});

type PartnerPlanObject = z.output<typeof partnerPlanObject>;

function checkPartnerPlan(partnerPlan: PartnerPlanObject, ctx: z.core.$RefinementCtx<PartnerPlanObject>) {
  // A partner plan names no customer: the review is between the two sellers.
  partnerPlan.cadence.attendees.forEach((party, index) => {
    if (party !== 'vendor' && party !== 'partner') {
      ctx.addIssue({
        code: 'custom',
        message: `${party} has no named owner in a partner plan: attendees are vendor and partner`,
        path: ['cadence', 'attendees', index],
        input: party,
      });
    }
  });
  const vendor = partnerPlan.owners.vendor.email.toLowerCase();
  if (vendor === partnerPlan.owners.partner.email.toLowerCase()) {
    ctx.addIssue({
      code: 'custom',
      message: `${partnerPlan.owners.partner.email} is already the vendor owner: a person belongs to one side`,
      path: ['owners', 'partner', 'email'],
      input: partnerPlan.owners.partner.email,
    });
  }
}

/** A partner-level plan: one partner, its target accounts, motion, credit rules, cadence and target. */
export const partnerPlanSchema = partnerPlanObject.check(z.superRefine(checkPartnerPlan));

export type PartnerPlan = z.output<typeof partnerPlanSchema>;
export type TargetAccount = PartnerPlan['targetAccounts'][number];
export type QuarterlyTarget = PartnerPlan['quarterlyTarget'];

/** Validates a parsed partner plan document; throws `ValidationError` naming every field path at fault. */
export function parsePartnerPlan(data: unknown): PartnerPlan {
  const result = partnerPlanSchema.safeParse(data);
  if (!result.success) throw new ValidationError(formatIssues(result.error), 'invalid partner plan');
  return result.data;
}
