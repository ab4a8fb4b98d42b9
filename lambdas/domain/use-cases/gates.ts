import type { StageKey } from '../../schemas/plan.schema';
import { type Deal, openStage, partyOwner, stageDeadline } from '../deal';
import { escalationEmail, gateOpenEmail, gateOverdueEmail } from '../emails';
import { ConcurrentUpdateError, NotFoundError } from '../errors';
import { gateAsks, ladderRungs, nextLookInSeconds, partiesOwingMoves } from '../notifications';
import { STAGES } from '../playbook';
import type { DealSnapshot, Deps } from '../ports';
import { linkAsks } from './link-urls';

/** Shortest wait a gate is given, so that a deadline already past escalates promptly but not in a loop. */
const MIN_WAIT_SECONDS = 60;

const MAX_ATTEMPTS = 10;

/**
 * Workflow tasks race with link clicks on the same deal. The state machine retries only Lambda service
 * errors, so a lost optimistic-lock race would fail the execution: re-read and run again instead (each
 * task is safe to rerun: opening is idempotent and every email goes through the ledger).
 */
async function onFreshRead<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}

async function load(deps: Pick<Deps, 'store'>, planId: string): Promise<DealSnapshot> {
  const snapshot = await deps.store.get(planId);
  if (!snapshot) throw new NotFoundError(`No plan with id ${planId}.`);
  return snapshot;
}

/** `Set deadline: <stage>`: opens the stage (once) and says how long its gate may wait. */
export async function setGateDeadline(
  deps: Pick<Deps, 'store' | 'clock' | 'config'>,
  input: { planId: string; stage: StageKey },
): Promise<{ timeoutSeconds: number; escalations: number }> {
  return onFreshRead(async () => {
    const now = deps.clock.now();
    const { deal, milestones } = await load(deps, input.planId);
    const opened = openStage(deal, input.stage, now);
    if (opened !== deal) await deps.store.save({ deal: opened });
    const deadline = stageDeadline(opened, milestones, input.stage, deps.config.defaultTimezone);
    const seconds = Math.ceil((deadline.getTime() - now.getTime()) / 1000);
    return { timeoutSeconds: Math.max(MIN_WAIT_SECONDS, seconds), escalations: 0 };
  });
}

/**
 * `Await gate: <stage>`: records the task token with the deal and, the first time, emails everyone the
 * gate needs. If the gate passed while no token was waiting (a race with a timeout), it completes at once.
 */
export async function awaitGate(
  deps: Pick<Deps, 'store' | 'clock' | 'config' | 'mailer' | 'ledger' | 'keys' | 'workflow'>,
  input: { planId: string; stage: StageKey; taskToken: string; escalations: number },
): Promise<void> {
  return onFreshRead(async () => {
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
        await deps.mailer.send(gateOpenEmail(deal, input.stage, recipient, linked, key));
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
  deps: Pick<Deps, 'store' | 'clock' | 'config' | 'mailer' | 'ledger' | 'keys'>,
  input: { planId: string; stage: StageKey; escalations: number },
): Promise<{ timeoutSeconds: number; escalations: number }> {
  return onFreshRead(async () => {
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
    for (const { recipient, asks } of gateAsks(deal, milestones, input.stage, tz)) {
      const mine = asks.filter((a) => a.action !== 'waive-milestone');
      if (!owing.has(recipient.party) || mine.length === 0) continue;
      const key = `gate-overdue#${deal.planId}#${input.stage}#${recipient.email.toLowerCase()}`;
      await deps.ledger.once(key, async () => {
        const linked = await linkAsks(deps, deal, recipient.email, mine);
        await deps.mailer.send(gateOverdueEmail(deal, input.stage, recipient, linked, deadline, key));
      });
    }
    const rungs = ladderRungs(deal, parties, deadline);
    const title = `stage ${STAGES[input.stage].number}, ${STAGES[input.stage].title}, is past its deadline.`;
    for (const rung of rungs.filter((r) => r.at.getTime() <= now.getTime())) {
      const key = `gate-escalation#${deal.planId}#${input.stage}#${rung.party}#${rung.index}`;
      await deps.ledger.once(key, () =>
        deps.mailer.send(
          escalationEmail(
            deal,
            rung,
            partyOwner(deal, rung.party, tz),
            title,
            waitingList(deal, milestones, input.stage, rung.party),
            key,
          ),
        ),
      );
    }
    const updated: Deal = {
      ...deal,
      stages: { ...deal.stages, [input.stage]: { ...deal.stages[input.stage], escalations } },
      updatedAt: now.toISOString(),
    };
    await deps.store.save({ deal: updated });
    return { timeoutSeconds: nextLookInSeconds(rungs, now), escalations };
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
