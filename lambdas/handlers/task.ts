import { logger } from '../adapters/logger';
import { asTransient, TransientError } from '../domain/errors';

/**
 * Runs a state machine task. An error that passes (throttling, a 5xx, a deferred email, a lost race) is
 * thrown as TransientError, which every Task state retries by that name with backoff; any other error is
 * thrown as it is: the execution fails, the failed-executions alarm fires and the reconciler in the reminder
 * sweep redrives it. Permanent delivery failures never get here: the use case records `needsAttention` on
 * the deal and returns, so the workflow waits at the same gate.
 */
export async function runTask<T>(task: string, planId: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const thrown = asTransient(error);
    if (thrown instanceof TransientError) logger.warn(`${task} will be retried`, { planId, error: thrown });
    else logger.error(`${task} failed`, { planId, error: error as Error });
    throw thrown;
  }
}
