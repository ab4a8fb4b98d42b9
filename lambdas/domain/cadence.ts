import { createHash } from 'node:crypto';
import { MAX_EMAILS_PER_DAY, QUIET_HOURS } from './defaults';
import { addDays, localDate, zonedInstant } from './time';

/**
 * Respecting the recipient: quiet hours and a per-day cap, both on the recipient's own wall clock, and
 * one digest per person per sweep. Pure: the use cases decide with these and keep the counts durable.
 */

export interface QuietHours {
  /** `HH:MM`, local to the recipient; the quiet period starts here... */
  start: string;
  /** ...and ends here (before `start` when it spans midnight, as 19:00 to 08:00 does). */
  end: string;
}

/** Used only if a plan carries no `reminders` block (the plan schema requires one). */
export const DEFAULT_QUIET_HOURS: QuietHours = QUIET_HOURS;
export const DEFAULT_MAX_PER_DAY = MAX_EMAILS_PER_DAY;

/** `HH:MM` on the wall clock of `timeZone` at `instant`. */
export function localTime(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hourCycle: 'h23',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return `${get('hour')}:${get('minute')}`;
}

function spansMidnight(quiet: QuietHours): boolean {
  return quiet.start > quiet.end;
}

export function inQuietHours(instant: Date, timeZone: string, quiet: QuietHours): boolean {
  const t = localTime(instant, timeZone);
  return spansMidnight(quiet) ? t >= quiet.start || t < quiet.end : t >= quiet.start && t < quiet.end;
}

/**
 * The first instant at or after `instant` outside the recipient's quiet hours: `instant` itself, or the end
 * of the quiet period it falls in (found on the wall calendar, so a daylight-saving change in the night
 * moves the instant, not the local time).
 */
export function firstAllowed(instant: Date, timeZone: string, quiet: QuietHours): Date {
  if (!inQuietHours(instant, timeZone, quiet)) return instant;
  const today = localDate(instant, timeZone);
  const evening = spansMidnight(quiet) && localTime(instant, timeZone) >= quiet.start;
  return zonedInstant(evening ? addDays(today, 1) : today, quiet.end, timeZone);
}

/** The start of the recipient's next local day that is outside quiet hours (08:00 for 19:00 to 08:00). */
export function nextLocalMorning(instant: Date, timeZone: string, quiet: QuietHours): Date {
  const midnight = zonedInstant(addDays(localDate(instant, timeZone), 1), '00:00', timeZone);
  return firstAllowed(midnight, timeZone, quiet);
}

/**
 * Ledger keys of the recipient's send slots for their local day: `sent#<email>#<YYYY-MM-DD>#<n>`, n from 1
 * to the cap. Claiming a slot is a conditional write, so concurrent senders can never exceed the cap.
 */
export function sendSlotKeys(email: string, instant: Date, timeZone: string, cap: number): string[] {
  const day = localDate(instant, timeZone);
  return Array.from({ length: Math.max(0, cap) }, (_, i) => `sent#${email.toLowerCase()}#${day}#${i + 1}`);
}

/** A digest's ledger key: the recipient and the exact set of items it carries. */
export function digestKey(email: string, itemKeys: string[]): string {
  const hash = createHash('sha256')
    .update([...new Set(itemKeys)].sort().join('\n'))
    .digest('base64url')
    .slice(0, 22);
  return `digest#${email.toLowerCase()}#${hash}`;
}

/** Items grouped by recipient (case-insensitively), in first-seen order, each group in its given order. */
export function groupByRecipient<T extends { to: { email: string } }>(items: T[]): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = item.to.email.toLowerCase();
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  return [...groups.values()];
}

/** A send that failed for now (throttling, a service error): nothing is lost, it is tried again later. */
export class DeliveryDeferredError extends Error {
  override readonly name = 'DeliveryDeferredError';
}

/** A send the mail service refuses for good (rejected, unverified sender domain, invalid address). */
export class DeliveryRejectedError extends Error {
  override readonly name = 'DeliveryRejectedError';
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** What a plan keeps about an email that could not be delivered, so ops can fix the address. */
export interface DeliveryProblem {
  at: string;
  to: string;
  code: string;
  message: string;
  /** The ledger keys of what the email carried. */
  keys: string[];
}
