import type { Clock } from '../domain/ports';

/**
 * The one clock every handler reads. In AWS it is the system clock. The local runtime moves it forward
 * (`POST /_local/clock`) so that reminders, deadlines and link expiry can be tried without waiting.
 */
let offsetMs = 0;

export const systemClock: Clock = {
  now: () => new Date(Date.now() + offsetMs),
};

/** Local runtime only: move the clock forward by `ms`. Time never goes backwards. */
export function advanceClock(ms: number): Date {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError('the clock only moves forward');
  offsetMs += ms;
  return systemClock.now();
}

/** Local runtime only: restore a clock offset persisted across restarts. */
export function setClockOffset(ms: number): void {
  if (!Number.isFinite(ms) || ms < offsetMs) throw new RangeError('the clock only moves forward');
  offsetMs = ms;
}

export function clockOffsetMs(): number {
  return offsetMs;
}
