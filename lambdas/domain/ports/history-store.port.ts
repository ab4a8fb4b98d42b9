/** One entry of a deal's append-only trail (`GET /plans/{planId}/history`). */
export interface HistoryEntry {
  at: string;
  /** A person's email, an ops principal, or `system`. */
  by: string;
  kind: HistoryKind;
  detail: Record<string, unknown>;
}

export type HistoryKind =
  | 'created'
  | 'amended'
  | 'link-action'
  | 'slip'
  | 'gate-passed'
  | 'escalation'
  | 'closed'
  | 'email';

/** A deal's history: appended to, read whole (oldest first) by plan id; never scanned. */
export interface HistoryStore {
  append(planId: string, entries: HistoryEntry[]): Promise<void>;
  list(planId: string): Promise<HistoryEntry[]>;
}
