import { ConcurrentUpdateError } from './errors';

/**
 * Optimistic locking's other half: runs `attempt` (which reads what it changes, then saves it conditionally)
 * and, when the save lost a race (ConcurrentUpdateError), runs it again on a fresh read, up to `attempts`
 * times in all; the last ConcurrentUpdateError is thrown. `attempt` gets its 1-based number, so a caller
 * under heavy contention can back off. Every effect inside must be safe to repeat (ledger keys, idempotent
 * state changes).
 */
export async function withFreshRead<T>(attempts: number, attempt: (n: number) => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError) || n >= attempts) throw error;
    }
  }
}
