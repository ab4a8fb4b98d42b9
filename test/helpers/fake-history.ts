import type { HistoryEntry, HistoryStore } from '../../lambdas/domain/ports';

/** Each deal's history in memory, appended in order. */
export class FakeHistoryStore implements HistoryStore {
  readonly entries = new Map<string, HistoryEntry[]>();
  failNext: Error | undefined;

  async append(planId: string, entries: HistoryEntry[]): Promise<void> {
    if (this.failNext) {
      const error = this.failNext;
      this.failNext = undefined;
      throw error;
    }
    this.entries.set(planId, [...(this.entries.get(planId) ?? []), ...structuredClone(entries)]);
  }

  async list(planId: string): Promise<HistoryEntry[]> {
    return structuredClone(this.entries.get(planId) ?? []);
  }

  kinds(planId: string): string[] {
    return (this.entries.get(planId) ?? []).map((e) => e.kind);
  }
}
