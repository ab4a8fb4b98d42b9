import * as z from 'zod/mini';
import './zod-locale';
import type { AnnouncementWhat } from '../domain/ports';
import { STAGE_KEYS } from '../domain/vocabulary';

/** The deal events that follow a change the owners are told of (see `announceHeld`). */
export const ANNOUNCE_DETAIL_TYPES = [
  'CoSell Stage Advanced',
  'CoSell Deal Registered',
  'CoSell Deal Closed Lost',
] as const;

/** Of such an event, what `announce` reads: the deal, and the stage passed (Stage Advanced's `from`). */
export const announceEvent = /* @__PURE__ */ z.object({
  'detail-type': z.enum(ANNOUNCE_DETAIL_TYPES),
  detail: z.object({
    planId: z.string().check(z.minLength(1)),
    from: z.optional(z.enum(STAGE_KEYS)),
  }),
});

/** What the event says was announced: the stage it passed, or the deal's close (won or lost). */
export function announcedBy(event: z.output<typeof announceEvent>): AnnouncementWhat {
  if (event['detail-type'] !== 'CoSell Stage Advanced') return { kind: 'closed' };
  const stage = event.detail.from;
  if (!stage) throw new Error('a Stage Advanced event names the stage it passed (detail.from)');
  return { kind: 'stage-passed', stage };
}
