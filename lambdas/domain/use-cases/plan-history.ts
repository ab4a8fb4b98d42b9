import { NotFoundError } from '../errors';
import type { DealStore, HistoryEntry, HistoryStore } from '../ports';

/** `GET /plans/{planId}/history`: the deal's trail, oldest first. */
export async function getHistory(
  deps: { store: DealStore; history: HistoryStore },
  planId: string,
): Promise<{ planId: string; entries: HistoryEntry[] }> {
  const [entries, snapshot] = await Promise.all([deps.history.list(planId), deps.store.get(planId)]);
  if (!snapshot && entries.length === 0) throw new NotFoundError(`No plan with id ${planId}.`);
  const sorted = entries
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.at.localeCompare(b.e.at) || a.i - b.i)
    .map(({ e }) => e);
  return { planId, entries: sorted };
}
