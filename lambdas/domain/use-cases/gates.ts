import { ESCALATED, PLAN_STARTED, STAGE_ADVANCED } from '../../schemas/events.schema';
import type { StageKey } from '../../schemas/plan.schema';
import {
  DEFAULT_MAX_PER_DAY,
  DEFAULT_QUIET_HOURS,
  type DeliveryProblem,
  firstAllowed,
  inQuietHours,
  nextLocalMorning,
} from '../cadence';
import { type Deal, type Owner, openStage, partyOwner, stageDeadline } from '../deal';
import { NotFoundError } from '../errors';
import { escalatedDetail, planStartedDetail, publishOrWarn, stageAdvancedDetail } from '../events';
import { withFreshRead } from '../fresh-read';
import {
  DEFAULT_GHOSTING_DAYS,
  gateAsks,
  ladderRungs,
  nextLookInSeconds,
  nudgeOnOpening,
  partiesOwingMoves,
  personTimezone,
} from '../notifications';
import { STAGES } from '../playbook';
import type { DealSnapshot, Deps, OutboundEmail, ViewsOf } from '../ports';
import { STAGE_KEYS } from '../vocabulary';
import { linkAsks } from './link-urls';
import { ledgerDone, ledgerState, sendCapped } from './reminders';

/** Shortest wait a gate is given, so that a deadline already past escalates promptly but not in a loop. */
const MIN_WAIT_SECONDS = 60;

/** How soon a gate looks again after a send failed for now (throttling). */
const RETRY_SEND_SECONDS = 300;

/**
 * Workflow tasks race with link clicks on the same deal. The state machine retries only Lambda service
 * errors, so a lost optimistic-lock race would fail the execution: each task re-reads and runs again
 * instead, this many times in all (safe to rerun: opening is idempotent and every email goes through the
 * ledger).
 */
const MAX_ATTEMPTS = 10;

async function load(deps: Pick<Deps, 'store'>, planId: string): Promise<DealSnapshot> {
  const snapshot = await deps.store.get(planId);
  if (!snapshot) throw new NotFoundError(`No plan with id ${planId}.`);
  return snapshot;
}

/**
 * `Set deadline: <stage>`: opens the stage (once) and says how long its gate may wait.
 *
 * It also publishes `CoSell Plan Started` as the first gate opens. Here rather than when the plan is
 * created: a plan whose workflow never starts is removed again (plans.ts compensates), so the workflow
 * opening stage 1 is the first moment the deal is really under way. Opening a later stage publishes the
 * previous stage's `CoSell Stage Advanced` if the link handler that passed the gate could not (the same
 * detail and ledger key, so it is never published twice).
 */
export async function setGateDeadline(
  deps: Pick<Deps, 'store' | 'clock' | 'config' | 'ledger' | 'events'>,
  input: { planId: string; stage: StageKey },
): Promise<{ timeoutSeconds: number; escalations: number; warnings?: string[] }> {
  const result = await withFreshRead(MAX_ATTEMPTS, async () => {
    const now = deps.clock.now();
    const { deal, milestones } = await load(deps, input.planId);
    const opened = openStage(deal, input.stage, now);
    if (opened !== deal) {
      // Opening can bring a milestone's first nudge forward (a handoff to accept within 48 h, partner
      // silence to watch for): the sweep only sees what the due-time index shows it.
      const settings = {
        defaultTz: deps.config.defaultTimezone,
        ghostingDays: deps.config.ghostingDays ?? DEFAULT_GHOSTING_DAYS,
      };
      const sooner = milestones
        .filter((m) => m.stage === input.stage)
        .flatMap((m) => {
          const nudgeAt = nudgeOnOpening(opened, m, now, settings);
          return nudgeAt === m.nudgeAt ? [] : [{ ...m, ...(nudgeAt ? { nudgeAt } : {}) }];
        });
      await deps.store.save({ deal: opened, ...(sooner.length ? { milestones: sooner } : {}) });
    }
    const deadline = stageDeadline(opened, milestones, input.stage, deps.config.defaultTimezone);
    const seconds = Math.ceil((deadline.getTime() - now.getTime()) / 1000);
    return { deal: opened, timeoutSeconds: Math.max(MIN_WAIT_SECONDS, seconds), escalations: 0 };
  });
  const warnings: string[] = [];
  const index = STAGE_KEYS.indexOf(input.stage);
  const previous = STAGE_KEYS[index - 1];
  if (index === 0) await publishOrWarn(deps, warnings, PLAN_STARTED, planStartedDetail(result.deal));
  const advanced = previous && stageAdvancedDetail(result.deal, previous);
  if (advanced) await publishOrWarn(deps, warnings, STAGE_ADVANCED, advanced);
  return {
    timeoutSeconds: result.timeoutSeconds,
    escalations: result.escalations,
    ...(warnings.length ? { warnings } : {}),
  };
}

/**
 * `Await gate: <stage>`: records the task token with the deal and, the first time, emails everyone the
 * gate needs. If the gate passed while no token was waiting (a race with a timeout), it completes at once.
 */
export async function awaitGate(
  deps: Pick<Deps, 'store' | 'clock' | 'config' | 'mailer' | 'ledger' | 'keys' | 'workflow'> &
    ViewsOf<'gateOpen'>,
  input: { planId: string; stage: StageKey; taskToken: string; escalations: number },
): Promise<void> {
  return withFreshRead(MAX_ATTEMPTS, async () => {
    const { deal, milestones } = await load(deps, input.planId);
    const state = deal.stages[input.stage];
    if (state.status === 'passed' || deal.status !== 'active') {
      await deps.workflow.completeGate(input.taskToken, {
        outcome: deal.status === 'lost' ? 'lost' : 'passed',
      });
      return;
    }
    await deps.store.save({
      deal: { ...deal, taskToken: input.taskToken, updatedAt: deps.clock.now().toISOString() },
    });
    for (const { recipient, asks } of gateAsks(deal, milestones, input.stage, deps.config.defaultTimezone)) {
      const key = `gate-open#${deal.planId}#${input.stage}#${recipient.email.toLowerCase()}`;
      await deps.ledger.once(key, async () => {
        const linked = await linkAsks(deps, deal, recipient.email, asks);
        await deps.mailer.send(deps.views.gateOpen(deal, input.stage, recipient, linked, key));
      });
    }
  });
}

/**
 * `Escalate: <stage>` (the gate's deadline passed): the people whose move it is get an overdue notice, then
 * each rung of their side's ladder is told once, when its `afterHours` past the deadline have gone by.
 * Returns how long the gate waits before looking again; the deal never fails for being late.
 */
export async function escalateGate(
  deps: Pick<Deps, 'store' | 'clock' | 'config' | 'mailer' | 'ledger' | 'keys' | 'events'> &
    ViewsOf<'gateOverdue' | 'escalation'>,
  input: { planId: string; stage: StageKey; escalations: number },
): Promise<{ timeoutSeconds: number; escalations: number; warnings?: string[] }> {
  return withFreshRead(MAX_ATTEMPTS, async () => {
    const now = deps.clock.now();
    const { deal, milestones } = await load(deps, input.planId);
    const escalations = input.escalations + 1;
    if (deal.stages[input.stage].status !== 'open') return { timeoutSeconds: MIN_WAIT_SECONDS, escalations };
    const tz = deps.config.defaultTimezone;
    const deadline = stageDeadline(deal, milestones, input.stage, tz);
    if (deadline.getTime() > now.getTime()) {
      // A slip moved the deadline after this wait began: nothing is overdue yet, so wait for the new one.
      const seconds = Math.ceil((deadline.getTime() - now.getTime()) / 1000);
      return { timeoutSeconds: Math.max(MIN_WAIT_SECONDS, seconds), escalations: input.escalations };
    }
    const parties = partiesOwingMoves(deal, milestones, input.stage);
    const owing = new Set(parties);
    // The same respect as the sweep: nothing in the recipient's quiet hours, at most the plan's per-day cap
    // (shared with the sweep's count); what is held back wakes the gate again when it may go.
    const quiet = deal.plan.reminders?.quietHours ?? DEFAULT_QUIET_HOURS;
    const cap = deal.plan.reminders?.maxPerRecipientPerDay ?? DEFAULT_MAX_PER_DAY;
    const wakeAt: Date[] = [];
    const warnings: string[] = [];
    let problems: DeliveryProblem[] = [];
    /** Sends unless held back; true once the key is settled (sent now or before, or refused for good). */
    const respectfully = async (
      to: Owner,
      key: string,
      email: () => Promise<OutboundEmail>,
    ): Promise<boolean> => {
      const state = await ledgerState(deps.ledger, key);
      if (state !== 'open') return state === 'done';
      if (inQuietHours(now, to.timezone, quiet)) {
        wakeAt.push(firstAllowed(now, to.timezone, quiet));
        return false;
      }
      const outcome = await sendCapped(deps, to, cap, () =>
        deps.ledger.once(key, async () => deps.mailer.send(await email())),
      );
      if (outcome.kind === 'at-cap') wakeAt.push(nextLocalMorning(now, to.timezone, quiet));
      else if (outcome.kind === 'deferred' || outcome.kind === 'busy') {
        wakeAt.push(new Date(now.getTime() + RETRY_SEND_SECONDS * 1000));
      } else if (outcome.kind === 'rejected') {
        problems = [...problems, { ...outcome.problem, keys: [key] }];
        await ledgerDone(deps.ledger, key);
        return true;
      }
      return outcome.kind === 'sent' || outcome.kind === 'already-sent';
    };
    for (const { recipient, asks } of gateAsks(deal, milestones, input.stage, tz)) {
      const mine = asks.filter((a) => a.action !== 'waive-milestone');
      if (!owing.has(recipient.party) || mine.length === 0) continue;
      const key = `gate-overdue#${deal.planId}#${input.stage}#${recipient.email.toLowerCase()}`;
      await respectfully(recipient, key, async () => {
        const linked = await linkAsks(deps, deal, recipient.email, mine);
        return deps.views.gateOverdue(deal, input.stage, recipient, linked, deadline, key);
      });
    }
    const rungs = ladderRungs(deal, parties, deadline);
    const title = `stage ${STAGES[input.stage].number}, ${STAGES[input.stage].title}, is past its deadline.`;
    for (const rung of rungs.filter((r) => r.at.getTime() <= now.getTime())) {
      const key = `gate-escalation#${deal.planId}#${input.stage}#${rung.party}#${rung.index}`;
      const to: Owner = {
        party: rung.party,
        name: rung.name,
        email: rung.email,
        timezone: personTimezone(deal, rung.party, rung.email, tz),
      };
      const told = await respectfully(to, key, async () =>
        deps.views.escalation(
          deal,
          rung,
          partyOwner(deal, rung.party, tz),
          title,
          waitingList(deal, milestones, input.stage, rung.party),
          key,
        ),
      );
      // Once the rung's email is settled, so a rerun after a failed publish makes up for it.
      if (told) {
        const what = 'gate-overdue';
        const detail = escalatedDetail(
          deal,
          { key, what, stage: input.stage, party: rung.party, rung, to: rung },
          now,
        );
        await publishOrWarn(deps, warnings, ESCALATED, detail);
      }
    }
    const updated: Deal = {
      ...deal,
      stages: { ...deal.stages, [input.stage]: { ...deal.stages[input.stage], escalations } },
      updatedAt: now.toISOString(),
      ...(problems.length
        ? { deliveryProblems: [...(deal.deliveryProblems ?? []), ...problems].slice(-20) }
        : {}),
    };
    await deps.store.save({ deal: updated });
    const held = wakeAt.map((at) =>
      Math.max(MIN_WAIT_SECONDS, Math.ceil((at.getTime() - now.getTime()) / 1000)),
    );
    return {
      timeoutSeconds: Math.min(nextLookInSeconds(rungs, now), ...held),
      escalations,
      ...(warnings.length ? { warnings } : {}),
    };
  });
}

function waitingList(
  deal: Deal,
  milestones: DealSnapshot['milestones'],
  stage: StageKey,
  party: string,
): string[] {
  const items = milestones
    .filter((m) => m.stage === stage && m.status === 'open' && m.owner.party === party)
    .map((m) => `${m.title}: ${m.owner.name}, due ${m.due}`);
  const confirmed = new Set(deal.stages[stage].confirmations.map((c) => c.party));
  if ((deal.plan.stages[stage].confirmedBy as string[]).includes(party) && !confirmed.has(party as never)) {
    items.push(`Gate confirmation from the ${party} side: ${deal.plan.stages[stage].exit}`);
  }
  return items;
}
