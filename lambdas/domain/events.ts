import type * as z from 'zod/mini';
import type {
  EscalatedDetail,
  EscalationKind,
  EventKind,
  MilestoneSlippedDetail,
  PlanStartedDetail,
  StageAdvancedDetail,
} from '../schemas/events.schema';
import type { SlipImpact } from './actions';
import { type Deal, daysInStages, type MilestoneState } from './deal';
import type { Rung } from './notifications';
import { nextStage } from './playbook';
import type { Deps } from './ports';
import { daysBetween } from './time';
import { STAGE_KEYS, type StageKey } from './vocabulary';

/**
 * Events for the rest of the business. Each is put on the bus at most once per identity: the ledger key is
 * `event#<eventId>`, and `eventId` is in the detail, so a consumer can drop the one duplicate no ledger can
 * rule out (the process dying between PutEvents and its record). Details derived from the deal alone (plan
 * started, stage advanced) come out the same whichever task publishes them, so a later task can make up
 * for one that died.
 */

/** Validates `detail` against its kind's schema, then publishes it once per `key`; an invalid detail throws. */
export async function publishOnce<S extends z.ZodMiniType>(
  deps: Pick<Deps, 'ledger' | 'events'>,
  kind: EventKind<S>,
  detail: z.input<S>,
  key = `event#${(detail as { eventId: string }).eventId}`,
): Promise<'done' | 'already-done'> {
  return deps.ledger.once(key, async () => {
    const valid = kind.schema.parse(detail) as Record<string, unknown>;
    await deps.events.publish(kind.detailType, valid);
  });
}

/**
 * For workflow tasks and the sweep, where an event must never fail the deal or cost a reminder: a failure
 * becomes a warning for the log (the claim is released, so a later run that reaches it again publishes).
 */
export async function publishOrWarn<S extends z.ZodMiniType>(
  deps: Pick<Deps, 'ledger' | 'events'>,
  warnings: string[],
  kind: EventKind<S>,
  detail: z.input<S>,
): Promise<void> {
  try {
    await publishOnce(deps, kind, detail);
  } catch (error) {
    warnings.push(`${kind.detailType} not published: ${(error as Error).name}: ${(error as Error).message}`);
  }
}

function about(deal: Deal, eventId: string, occurredAt: string) {
  return {
    schemaVersion: '1.0' as const,
    eventId,
    planId: deal.planId,
    tenant: deal.tenant,
    planName: deal.plan.name,
    occurredAt,
    // Named in every event, so channel messages name them and a partner-shared channel's rule can match.
    partner: { name: deal.plan.partner.name },
    account: { name: deal.plan.account.name },
  };
}

export function planStartedDetail(deal: Deal): PlanStartedDetail {
  const stage = STAGE_KEYS[0];
  const { plan } = deal;
  return {
    ...about(deal, `plan-started#${deal.planId}`, deal.stages[stage].openedAt ?? deal.createdAt),
    partner: {
      name: plan.partner.name,
      ...(plan.partner.reference ? { reference: plan.partner.reference } : {}),
    },
    account: { name: plan.account.name, ...(plan.account.domain ? { domain: plan.account.domain } : {}) },
    attribution: plan.attribution,
    plannedArr: {
      min: plan.jointOutcome.arr.min,
      max: plan.jointOutcome.arr.max,
      currency: plan.jointOutcome.arr.currency,
    },
    closeDate: plan.jointOutcome.closeDate,
    stage,
  };
}

/** The gate of `from` passed and the deal moved on; undefined when it did not (or `from` is the last stage). */
export function stageAdvancedDetail(deal: Deal, from: StageKey): StageAdvancedDetail | undefined {
  const state = deal.stages[from];
  const to = nextStage(from);
  if (state.status !== 'passed' || !state.passedAt || !to || deal.status === 'lost') return undefined;
  return {
    ...about(deal, `stage-advanced#${deal.planId}#${from}`, state.passedAt),
    from,
    to,
    daysInStage: daysInStages(deal, new Date(state.passedAt))[from],
    confirmedBy: state.confirmations.map(({ party, by, at }) => ({ party, by, at })),
  };
}

/** `m` as saved after the slip, whose last slip is this one. */
export function milestoneSlippedDetail(
  deal: Deal,
  m: MilestoneState,
  impact: SlipImpact,
): MilestoneSlippedDetail {
  const slip = m.slips.at(-1);
  if (!slip) throw new Error(`milestone ${m.milestoneId} has no slip`);
  return {
    // A milestone leaves a given date once: its dates only move forward.
    ...about(deal, `milestone-slipped#${deal.planId}#${m.milestoneId}#${slip.from}`, slip.at),
    milestone: { id: m.milestoneId, title: m.title, stage: m.stage, owner: m.owner.party },
    from: slip.from,
    to: slip.to,
    days: impact.days,
    closeDate: { ...impact.closeDate, days: daysBetween(impact.closeDate.from, impact.closeDate.to) },
    by: slip.by,
    ...(slip.reason ? { reason: slip.reason } : {}),
    ...(impact.choice ? { choice: impact.choice } : {}),
    moved: impact.moved.map((mv) => ({ id: mv.milestoneId, from: mv.from, to: mv.to })),
  };
}

/** An escalation, identified by the ledger key of the email that carried it. */
export function escalatedDetail(
  deal: Deal,
  escalation: {
    key: string;
    what: EscalationKind;
    stage: StageKey;
    milestone?: Pick<MilestoneState, 'milestoneId' | 'title'>;
    party: Rung['party'];
    rung?: Pick<Rung, 'index' | 'name' | 'email' | 'role'>;
    to: { name: string; email: string; role?: string };
    reason?: string;
  },
  now: Date,
): EscalatedDetail {
  const { key, what, stage, milestone: m, party, rung, to, reason } = escalation;
  return {
    ...about(deal, `escalated#${key}`, now.toISOString()),
    what,
    stage,
    ...(m ? { milestone: { id: m.milestoneId, title: m.title } } : {}),
    party,
    ...(rung ? { rung: rung.index } : {}),
    to: { name: to.name, email: to.email, ...(to.role ? { role: to.role } : {}) },
    ...(reason ? { reason } : {}),
  };
}
