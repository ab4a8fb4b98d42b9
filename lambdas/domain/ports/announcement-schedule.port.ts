import type { Owner } from '../deal';
import type { StageKey } from '../vocabulary';

/** What an announcement tells: a stage passed, or the deal closed (its outcome and reason are on the deal). */
export type AnnouncementWhat = { kind: 'stage-passed'; stage: StageKey } | { kind: 'closed' };

/**
 * No email of its own but a watch, held the same way: the open stage's gate waits only on confirmations (no
 * milestone left open to watch through), so the sweep looks at `at` whether a party that owes one has gone
 * quiet (see `confirmationGhosting`).
 */
export interface SilenceWatch {
  kind: 'silence';
  stage: StageKey;
}

/**
 * An announcement owed to one person, held until it goes out. It is written in the same save as the change it
 * announces (a passed gate, a close), so a crash after that save loses nothing: whatever does not go out at
 * once (the recipient's quiet hours or day off, the day's cap, a failed send) the reminder sweep sends at
 * `at`, in that person's digest. Its ledger key is its identity: the email goes once under it.
 */
export interface HeldAnnouncement {
  /** The ledger key (`announce#<what>#<planId>#...#<email>`). */
  key: string;
  planId: string;
  what: AnnouncementWhat | SilenceWatch;
  /** The recipient (a watch: the vendor owner, whose calendar it keeps). */
  to: Owner;
  /** When it may go (ISO): at once, or the recipient's next working morning. */
  at: string;
}

/** Held announcements by the time they fall due (a sparse index read by the sweep, never a Scan). */
export interface AnnouncementSchedule {
  /** Those due at or before `until`. */
  announcementsDue(until: Date): Promise<HeldAnnouncement[]>;
  /** One deal's, still held (a Query of the deal's own partition). */
  heldFor(planId: string): Promise<HeldAnnouncement[]>;
  /** Holds one (again) until `held.at`: the recipient may not be sent it before. */
  holdAnnouncement(held: HeldAnnouncement): Promise<void>;
  /** It went out (or never will): out of the index for good. */
  settleAnnouncement(held: HeldAnnouncement): Promise<void>;
}
