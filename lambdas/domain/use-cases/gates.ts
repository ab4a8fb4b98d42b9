import { ESCALATED, PLAN_STARTED, STAGE_ADVANCED } from '../../schemas/events.schema';
import type { StageKey } from '../../schemas/plan.schema';
import { mayRetryRefused, withRefusals, withSent } from '../attention';
import { DEFAULT_MAX_PER_DAY, DEFAULT_QUIET_HOURS, type DeliveryProblem } from '../cadence';
import { type Deal, type Owner, openStage, partyOwner, stageDeadline } from '../deal';
import { isTransient, NotFoundError, TransientError } from '../errors';
import { escalatedDetail, planStartedDetail, publishOnce, stageAdvancedDetail } from '../events';
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
import {
  addBusinessDays,
  graceDaysOf,
  maySendAt,
  nextSendable,
  nextWorkingMorning,
  workCalendarOf,
} from '../workdays';
import { silenceWatch } from './announcements';
import { type GateEmailsResult, sendGateEmails } from './gate-emails';
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
        calendar: workCalendarOf(deps.config),
      };
      const sooner = milestones
        .filter((m) => m.stage === input.stage)
        .flatMap((m) => {
          const nudgeAt = nudgeOnOpening(opened, m, now, settings);
          return nudgeAt === m.nudgeAt ? [] : [{ ...m, ...(nudgeAt ? { nudgeAt } : {}) }];
        });
      // A stage with no milestone to watch (none, or all done already) may wait only on confirmations: the
      // silence watch lets the sweep find a party that goes quiet on its confirmation (issue 15).
      const changed = new Map(sooner.map((m) => [m.milestoneId, m]));
      const watch = silenceWatch(
        opened,
        milestones.map((m) => changed.get(m.milestoneId) ?? m),
        now,
        deps.config,
      );
      await deps.store.save({
        deal: opened,
        ...(sooner.length ? { milestones: sooner } : {}),
        ...(watch.length ? { announcements: watch } : {}),
      });
    }
    const deadline = stageDeadline(opened, milestones, input.stage, deps.config.defaultTimezone);
    const seconds = Math.ceil((deadline.getTime() - now.getTime()) / 1000);
    return { deal: opened, timeoutSeconds: Math.max(MIN_WAIT_SECONDS, seconds), escalations: 0 };
  });
  const warnings: string[] = [];
  const index = STAGE_KEYS.indexOf(input.stage);
  const previous = STAGE_KEYS[index - 1];
  const retry: string[] = [];
  if (index === 0) await publishOrRetry(deps, warnings, retry, PLAN_STARTED, planStartedDetail(result.deal));
  const advanced = previous && stageAdvancedDetail(result.deal, previous);
  if (advanced) await publishOrRetry(deps, warnings, retry, STAGE_ADVANCED, advanced);
  // An event is never lost: the task is retried (the stage opens once, the ledger puts each event once).
  if (retry.length) throw new TransientError(retry.join('; '));
  return {
    timeoutSeconds: result.timeoutSeconds,
    escalations: result.escalations,
    ...(warnings.length ? { warnings } : {}),
  };
}

/**
 * `Await gate: <stage>`: records the task token (and which execution waits) with the deal and, the first
 * time, emails everyone the gate needs. If the gate passed while no token was waiting (a race with a
 * timeout), it completes at once. An email refused for good is recorded as needing attention and the others
 * still go out: the gate waits. An email deferred (throttling) makes the task throw TransientError after the
 * others were tried, so the state machine retries it; the ledger keeps what was sent from going twice.
 */
export async function awaitGate(
  deps: Pick<Deps, 'store' | 'clock' | 'config' | 'mailer' | 'ledger' | 'keys' | 'workflow'> &
    ViewsOf<'gateOpen'>,
  input: { planId: string; stage: StageKey; taskToken: string; escalations: number; executionArn?: string },
): Promise<void> {
  const waiting = await withFreshRead(MAX_ATTEMPTS, async () => {
    const { deal, milestones } = await load(deps, input.planId);
    const state = deal.stages[input.stage];
    if (state.status === 'passed' || deal.status !== 'active') {
      await deps.workflow.completeGate(input.taskToken, {
        outcome: deal.status === 'lost' ? 'lost' : 'passed',
      });
      return undefined;
    }
    const now = deps.clock.now().toISOString();
    const saved: Deal = {
      ...deal,
      taskToken: input.taskToken,
      ...(input.executionArn
        ? { workflow: { executionArn: input.executionArn, stage: input.stage, since: now } }
        : {}),
      updatedAt: now,
    };
    await deps.store.save({ deal: saved });
    return { deal: { ...saved, version: saved.version + 1 }, milestones };
  });
  if (!waiting) return;
  const skip = new Set(mayRetryRefused(waiting.deal) ? [] : (waiting.deal.needsAttention?.keys ?? []));
  const sent = await sendGateEmails(deps, waiting.deal, waiting.milestones, input.stage, skip);
  await recordDelivery(deps, input.planId, sent);
  if (sent.deferred.length > 0) {
    throw new TransientError(
      `${sent.deferred.length} gate email(s) not sent for now: ${sent.deferred.map((d) => d.error).join('; ')}`,
    );
  }
}

/** Records on the deal what a round of gate emails left needing attention, and what it cleared. */
export async function recordDelivery(
  deps: Pick<Deps, 'store' | 'clock'>,
  planId: string,
  sent: GateEmailsResult,
): Promise<void> {
  const now = deps.clock.now();
  await withFreshRead(MAX_ATTEMPTS, async () => {
    const { deal } = await load(deps, planId);
    const updated = withRefusals(withSent(deal, sent.settled), sent.refused, now);
    if (updated === deal) return;
    await deps.store.save({ deal: { ...updated, updatedAt: now.toISOString() } });
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
    // A closed deal is told nothing more: the next wait completes its gate on the lost path.
    if (deal.stages[input.stage].status !== 'open' || deal.status !== 'active') {
      return { timeoutSeconds: MIN_WAIT_SECONDS, escalations };
    }
    const tz = deps.config.defaultTimezone;
    const deadline = stageDeadline(deal, milestones, input.stage, tz);
    if (deadline.getTime() > now.getTime()) {
      // A slip moved the deadline after this wait began: nothing is overdue yet, so wait for the new one.
      const seconds = Math.ceil((deadline.getTime() - now.getTime()) / 1000);
      return { timeoutSeconds: Math.max(MIN_WAIT_SECONDS, seconds), escalations: input.escalations };
    }
    const calendar = workCalendarOf(deps.config);
    // The ladders hear only once the grace has passed: `escalationGraceBusinessDays` working days after the
    // deadline, on the vendor owner's calendar (the deadline's own).
    const vendorTz = deal.plan.owners.vendor.timezone ?? tz;
    const escalateFrom = addBusinessDays(deadline, graceDaysOf(deps.config), vendorTz, calendar);
    const parties = partiesOwingMoves(deal, milestones, input.stage);
    const owing = new Set(parties);
    // The same respect as the sweep: nothing in the recipient's quiet hours, at most the plan's per-day cap
    // (shared with the sweep's count); what is held back wakes the gate again when it may go.
    const quiet = deal.plan.reminders?.quietHours ?? DEFAULT_QUIET_HOURS;
    const cap = deal.plan.reminders?.maxPerRecipientPerDay ?? DEFAULT_MAX_PER_DAY;
    const wakeAt: Date[] = [];
    const warnings: string[] = [];
    const retry: string[] = [];
    let problems: DeliveryProblem[] = [];
    /** Sends unless held back; true once the key is settled (sent now or before, or refused for good). */
    const respectfully = async (
      to: Owner,
      key: string,
      email: () => Promise<OutboundEmail>,
    ): Promise<boolean> => {
      const state = await ledgerState(deps.ledger, key);
      if (state !== 'open') return state === 'done';
      if (!maySendAt(now, to.timezone, quiet, calendar)) {
        wakeAt.push(nextSendable(now, to.timezone, quiet, calendar));
        return false;
      }
      const outcome = await sendCapped(deps, to, cap, () =>
        deps.ledger.once(key, async () => deps.mailer.send(await email())),
      );
      if (outcome.kind === 'at-cap') wakeAt.push(nextWorkingMorning(now, to.timezone, quiet, calendar));
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
    const rungs = ladderRungs(deal, parties, escalateFrom, { calendar, defaultTz: tz });
    const title = `stage ${STAGES[input.stage].number}, ${STAGES[input.stage].title}, is past its deadline.`;
    for (const rung of rungs.filter((r) => r.at.getTime() <= now.getTime())) {
      const key = `gate-escalation#${deal.planId}#${input.stage}#${rung.party}#${rung.index}`;
      // One miss, one message per rung: the party's overdue milestones that the sweep escalates to this
      // same rung. If the rung already heard about one of them, that email was the combined one; if not,
      // this one is, and the sweep will not send theirs.
      const sameMiss = milestones
        .filter((m) => m.stage === input.stage && m.status === 'open' && m.owner.party === rung.party)
        .map((m) => `overdue#${deal.planId}#${m.milestoneId}#${m.due}#${rung.index}`);
      const covered = `${key}#covered`;
      if ((await ledgerState(deps.ledger, covered)) === 'done') continue;
      if ((await ledgerState(deps.ledger, key)) === 'open') {
        let heard = false;
        for (const k of sameMiss) if ((await ledgerState(deps.ledger, k)) === 'done') heard = true;
        if (heard) {
          await ledgerDone(deps.ledger, covered);
          await ledgerDone(deps.ledger, key);
          continue;
        }
      }
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
        for (const k of sameMiss) await ledgerDone(deps.ledger, k);
        const what = 'gate-overdue';
        const detail = escalatedDetail(
          deal,
          { key, what, stage: input.stage, party: rung.party, rung, to: rung },
          now,
        );
        await publishOrRetry(deps, warnings, retry, ESCALATED, detail);
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
    // A refused escalation needs attention too (nobody was told); it is not sent again by itself.
    const attended = problems.length
      ? withRefusals(
          updated,
          problems.map((p) => ({
            key: `${p.keys[0] ?? 'escalation'}#refused`,
            what: 'an overdue notice',
            to: p.to,
            error: `${p.code}: ${p.message}`,
          })),
          now,
        )
      : updated;
    await deps.store.save({ deal: attended });
    // A failed publish is retried with the task: the emails are settled (the ledger), so only it is redone.
    if (retry.length) throw new TransientError(retry.join('; '));
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

/**
 * Publishes once; a passing failure (throttling, EventBridge's own trouble) goes to `retry`, for the task to
 * throw TransientError once its other work is saved; a failure a retry cannot cure (an invalid detail) stays
 * a warning, as before, so it never stops the workflow.
 */
async function publishOrRetry<S extends Parameters<typeof publishOnce>[1]>(
  deps: Pick<Deps, 'ledger' | 'events'>,
  warnings: string[],
  retry: string[],
  kind: S,
  detail: Parameters<typeof publishOnce>[2],
): Promise<void> {
  try {
    await publishOnce(deps, kind, detail as never);
  } catch (error) {
    const line = `${kind.detailType} not published: ${(error as Error).name}: ${(error as Error).message}`;
    if (isTransient(error)) retry.push(line);
    else warnings.push(line);
  }
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
