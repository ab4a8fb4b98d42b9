import * as z from 'zod/mini';
import './zod-locale';
import { PARTIES, STAGE_KEYS } from '../domain/vocabulary';

/**
 * The `detail` of every event Cosell Flow puts on the tenant bus (source `cosell.flow`): the one contract
 * for the publishers (each detail is parsed before it is put) and for consumers (the JSON Schemas in
 * schema/events/ are exported from these). Additive changes raise the minor `schemaVersion`.
 *
 * Each schema is marked pure so that a handler bundles only the schemas it publishes.
 */

/** The AWS Partner Central (ACE) opportunity lifecycle, in order. */
export const PARTNER_CENTRAL_STAGES = [
  'Prospect',
  'Qualified',
  'Technical Validation',
  'Business Validation',
  'Committed',
  'Launched',
  'Closed Lost',
] as const;
export type PartnerCentralStage = (typeof PARTNER_CENTRAL_STAGES)[number];

export const ESCALATION_KINDS = [
  'gate-overdue',
  'milestone-overdue',
  'stuck',
  'handoff',
  'ghosting',
] as const;
export type EscalationKind = (typeof ESCALATION_KINDS)[number];

// Plain regexes and multipleOf(1), not z.iso.* and z.int(): the same contract for about 3 KB less in each
// bundle (action-link sits at its 1.25x budget). Values come from our own clock and validated plans.
const text = /* @__PURE__ */ z.string().check(z.minLength(1));
/** An ISO 8601 instant in UTC, as Date#toISOString writes it. */
const instant = /* @__PURE__ */ z.string().check(z.regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/));
/** A calendar date, YYYY-MM-DD. */
const day = /* @__PURE__ */ z.string().check(z.regex(/^\d{4}-\d\d-\d\d$/));
const stage = /* @__PURE__ */ z.enum(STAGE_KEYS);
const party = /* @__PURE__ */ z.enum(PARTIES);
const wholeDays = /* @__PURE__ */ z.number().check(z.multipleOf(1), z.minimum(0));
const partner = /* @__PURE__ */ z.object({ name: text, reference: z.optional(text) });
const account = /* @__PURE__ */ z.object({ name: text, domain: z.optional(text) });
const attribution = /* @__PURE__ */ z.enum(['sourced', 'influenced']);

/** Every event but the registrations: which deal, when, and an id a consumer drops duplicates by. */
const common = {
  schemaVersion: /* @__PURE__ */ z.literal('1.0'),
  eventId: text,
  planId: text,
  tenant: text,
  planName: text,
  occurredAt: instant,
  /** 1.0, additive: who and which account, so a channel message can name them and a rule can filter by partner. */
  partner: /* @__PURE__ */ z.optional(partner),
  account: /* @__PURE__ */ z.optional(account),
  /** 1.0, additive: view links to the deal room, signed for the vendor and partner owner where the publisher can. */
  links: /* @__PURE__ */ z.optional(
    z.object({ vendorRoom: z.optional(text), partnerRoom: z.optional(text) }),
  ),
};

/** `CoSell Plan Started`: the workflow opened the deal's first gate. */
export const planStartedDetail = /* @__PURE__ */ (() =>
  z.object({
    ...common,
    partner,
    account,
    attribution,
    plannedArr: z.object({ min: z.number(), max: z.number(), currency: text }),
    closeDate: day,
    stage,
  }))();

/** `CoSell Stage Advanced`: a gate passed and the next stage opens (stage 5's pass is the registration). */
export const stageAdvancedDetail = /* @__PURE__ */ (() =>
  z.object({
    ...common,
    from: stage,
    to: stage,
    daysInStage: wholeDays,
    confirmedBy: z.array(z.object({ party, by: text, at: instant })),
  }))();

/** `CoSell Milestone Slipped`: a milestone's owner moved its date, with the choice made and its impact. */
export const milestoneSlippedDetail = /* @__PURE__ */ (() =>
  z.object({
    ...common,
    milestone: z.object({ id: text, title: text, stage, owner: party }),
    from: day,
    to: day,
    days: z.number().check(z.multipleOf(1), z.minimum(1)),
    closeDate: z.object({ from: day, to: day, days: wholeDays }),
    by: text,
    reason: z.optional(z.string()),
    /** How it was handled: absorbed (the close date holds) or a proposal to move the close date. */
    choice: z.optional(z.enum(['absorb', 'propose'])),
    /** Every milestone whose date this slip moved now, the slipped one first. */
    moved: z.optional(z.array(z.object({ id: text, from: day, to: day }))),
  }))();

/** `CoSell Escalated`: a rung of a side's escalation ladder (or, with none, the vendor owner) was told. */
export const escalatedDetail = /* @__PURE__ */ (() =>
  z.object({
    ...common,
    what: z.enum(ESCALATION_KINDS),
    stage,
    milestone: z.optional(z.object({ id: text, title: text })),
    /** The side whose move it is. */
    party,
    /** 0-based position on that side's ladder; absent when no ladder was named (ghosting). */
    rung: z.optional(wholeDays),
    to: z.object({ name: text, email: text, role: z.optional(text) }),
    reason: z.optional(z.string()),
  }))();

function registration<O extends 'won' | 'lost', S extends 'Launched' | 'Closed Lost'>(outcome: O, closed: S) {
  return z.object({
    schemaVersion: z.literal('1.2'),
    /** Stable per deal (`<tenant>:<planId>`). */
    registrationId: text,
    planId: text,
    tenant: text,
    planName: text,
    partner,
    account,
    outcome: z.literal(outcome),
    arr: z.object({ amount: z.number(), currency: text }),
    plannedArr: z.object({ min: z.number(), max: z.number() }),
    attribution,
    economicSplit: z.object({
      recognizes: z.enum(['vendor', 'partner']),
      partnerFeePercent: z.number(),
      servicesTo: z.enum(['vendor', 'partner']),
      notes: z.optional(z.string()),
    }),
    closeDate: day,
    closedAt: instant,
    lesson: z.string(),
    daysInStage: z.record(stage, wholeDays),
    /** The deal on the AWS Partner Central opportunity lifecycle, to sync to ACE. */
    partnerCentral: z.object({
      stage: z.literal(closed),
      stageHistory: z.array(
        z.object({
          stage,
          partnerCentralStage: z.enum(PARTNER_CENTRAL_STAGES),
          openedAt: instant,
          passedAt: z.optional(instant),
        }),
      ),
      partnerReference: z.optional(text),
    }),
    /** The partner plan's credit rule for the agreed attribution, checked against the deal's evidence. */
    attributionCheck: z.optional(z.object({ rule: text, agrees: z.boolean(), why: text })),
    /** 1.2: view links to the deal room for the vendor and partner owner (absent when they could not be signed). */
    links: z.optional(z.object({ vendorRoom: z.optional(text), partnerRoom: z.optional(text) })),
  });
}

/** `CoSell Deal Registered`: stage 5 passed with a win. */
export const dealRegisteredDetail = /* @__PURE__ */ registration('won', 'Launched');
/** `CoSell Deal Closed Lost`: stage 5 lost, or closed by ops at any stage (`POST /plans/{planId}/close`). */
export const dealClosedLostDetail = /* @__PURE__ */ (() =>
  z.extend(registration('lost', 'Closed Lost'), {
    /** How it ended when ops closed it (absent when stage 5's form logged the loss). */
    closeOutcome: z.optional(z.enum(['lost', 'no-decision', 'withdrawn'])),
    reason: z.optional(z.string()),
    /** The stage the deal died in. */
    stage: z.optional(stage),
  }))();

/** `CoSell Plan Amended`: a new version of the plan replaced the deal's (PUT /plans/{planId}). */
export const planAmendedDetail = /* @__PURE__ */ (() =>
  z.object({
    ...common,
    version: z.number().check(z.multipleOf(1), z.minimum(2)),
    by: text,
    stage,
    changes: z.array(
      z.object({
        path: text,
        change: z.enum(['added', 'removed', 'changed']),
        from: z.optional(z.unknown()),
        to: z.optional(z.unknown()),
      }),
    ),
  }))();

/** `CoSell Needs Attention`: something outside the playbook needs a person (today: ACE's review of the opportunity). */
export const needsAttentionDetail = /* @__PURE__ */ (() =>
  z.object({
    ...common,
    stage,
    /** In words, e.g. `AWS Partner Central review: Action Required`. */
    what: text,
    reason: z.optional(z.string()),
    /** The ACE opportunity, when ACE raised it. */
    aceOpportunityId: z.optional(text),
    /** Who was told: the vendor owner. */
    to: z.optional(z.object({ name: text, email: text })),
  }))();

/** An event kind: its `detail-type` and the schema of its `detail`. */
export interface EventKind<S extends z.ZodMiniType = z.ZodMiniType> {
  detailType: string;
  schema: S;
}

export const PLAN_STARTED = { detailType: 'CoSell Plan Started', schema: planStartedDetail };
export const STAGE_ADVANCED = { detailType: 'CoSell Stage Advanced', schema: stageAdvancedDetail };
export const MILESTONE_SLIPPED = { detailType: 'CoSell Milestone Slipped', schema: milestoneSlippedDetail };
export const ESCALATED = { detailType: 'CoSell Escalated', schema: escalatedDetail };
export const DEAL_REGISTERED = { detailType: 'CoSell Deal Registered', schema: dealRegisteredDetail };
export const DEAL_CLOSED_LOST = { detailType: 'CoSell Deal Closed Lost', schema: dealClosedLostDetail };
export const PLAN_AMENDED = { detailType: 'CoSell Plan Amended', schema: planAmendedDetail };
export const NEEDS_ATTENTION = { detailType: 'CoSell Needs Attention', schema: needsAttentionDetail };
export type NeedsAttentionDetail = z.output<typeof needsAttentionDetail>;

export type PlanStartedDetail = z.output<typeof planStartedDetail>;
export type StageAdvancedDetail = z.output<typeof stageAdvancedDetail>;
export type MilestoneSlippedDetail = z.output<typeof milestoneSlippedDetail>;
export type EscalatedDetail = z.output<typeof escalatedDetail>;
export type PlanAmendedDetail = z.output<typeof planAmendedDetail>;
export type RegistrationDetail =
  | z.output<typeof dealRegisteredDetail>
  | z.output<typeof dealClosedLostDetail>;
