import { DeliveryDeferredError, type DeliveryProblem, DeliveryRejectedError, sendSlotKeys } from '../cadence';
import type { Owner } from '../deal';
import { ConcurrentUpdateError } from '../errors';
import { withFreshRead } from '../fresh-read';
import type { Deps, EffectLedger } from '../ports';

/**
 * Sending within a recipient's daily cap, and the ledger's states: shared by the reminder sweep, the gate
 * escalations and the announcements, so that all of them count against the same per-day slots.
 */

export type CappedOutcome =
  | { kind: 'sent' }
  | { kind: 'already-sent' }
  | { kind: 'at-cap' }
  | { kind: 'busy' }
  | { kind: 'deferred'; error: DeliveryDeferredError }
  | { kind: 'rejected'; problem: DeliveryProblem };

/** Thrown inside a slot's effect when nothing was sent after all, so the slot is given back. */
class NothingSentSignal extends Error {}
/** Carries an error from the send out of the slot's effect, to tell it from the slot's own claim failing. */
class SendFailedSignal extends Error {
  constructor(readonly error: unknown) {
    super('send failed');
  }
}

/**
 * Sends within the recipient's per-day cap: each email takes one of the day's numbered send slots
 * (`sent#<email>#<local date>#<n>`) through the ledger, a conditional claim, so concurrent senders cannot
 * exceed the cap. `run` performs the send through its own ledger key and says whether it sent anything;
 * if not, or if it fails, the slot is given back.
 */
export async function sendCapped(
  deps: Pick<Deps, 'ledger' | 'clock'>,
  to: Owner,
  cap: number,
  run: () => Promise<'done' | 'already-done'>,
): Promise<CappedOutcome> {
  const now = deps.clock.now();
  for (const slot of sendSlotKeys(to.email, now, to.timezone, cap)) {
    try {
      const claimed = await deps.ledger.once(slot, async () => {
        let result: 'done' | 'already-done';
        try {
          result = await run();
        } catch (error) {
          throw new SendFailedSignal(error);
        }
        if (result === 'already-done') throw new NothingSentSignal();
      });
      if (claimed === 'done') return { kind: 'sent' };
      // This slot was used earlier today: try the next.
    } catch (error) {
      if (error instanceof NothingSentSignal) return { kind: 'already-sent' };
      if (error instanceof SendFailedSignal) {
        const cause = error.error;
        if (cause instanceof DeliveryRejectedError) {
          return {
            kind: 'rejected',
            problem: {
              at: now.toISOString(),
              to: to.email,
              code: cause.code,
              message: cause.message,
              keys: [],
            },
          };
        }
        if (isInProgress(cause)) return { kind: 'busy' };
        // Anything else (throttling after retries, a network error) is for now: keep it for later.
        return {
          kind: 'deferred',
          error:
            cause instanceof DeliveryDeferredError
              ? cause
              : new DeliveryDeferredError(cause instanceof Error ? cause.message : String(cause)),
        };
      }
      // Another sender holds this slot right now: it counts as used.
      if (!isInProgress(error)) throw error;
    }
  }
  return { kind: 'at-cap' };
}

/**
 * Appends a delivery problem to the plan (re-reading on a lost race); at most the last 20 are kept. A plan
 * that keeps changing under it five times running goes without this record (the sweep does not fail).
 */
export async function recordDeliveryProblem(
  deps: Pick<Deps, 'store'>,
  planId: string,
  problem: DeliveryProblem,
): Promise<void> {
  try {
    await withFreshRead(5, async () => {
      const snapshot = await deps.store.get(planId);
      if (!snapshot) return;
      const { deal } = snapshot;
      const deliveryProblems = [...(deal.deliveryProblems ?? []), problem].slice(-20);
      await deps.store.save({ deal: { ...deal, deliveryProblems } });
    });
  } catch (error) {
    if (!(error instanceof ConcurrentUpdateError)) throw error;
  }
}

class ProbeSignal extends Error {}

/**
 * Whether a ledger key is done, open, or held by another invocation right now, through the ledger's one
 * operation: an effect that always fails leaves nothing behind (the claim is released).
 */
export async function ledgerState(ledger: EffectLedger, key: string): Promise<'done' | 'open' | 'busy'> {
  try {
    const result = await ledger.once(key, async () => {
      throw new ProbeSignal();
    });
    return result === 'already-done' ? 'done' : 'open';
  } catch (error) {
    if (error instanceof ProbeSignal) return 'open';
    if (isInProgress(error)) return 'busy';
    throw error;
  }
}

/** Marks a key done without an effect of its own (its email went out with another key). */
export async function ledgerDone(ledger: EffectLedger, key: string): Promise<void> {
  await ledger.once(key, async () => undefined);
}

/** The ledger's "claimed elsewhere, not finished" (the adapter's EffectInProgressError), by name. */
function isInProgress(error: unknown): boolean {
  return error instanceof Error && error.name === 'EffectInProgressError';
}
