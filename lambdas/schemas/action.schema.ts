import * as z from 'zod/mini';
import './zod-locale';
import type { StageKey } from './plan.schema';

/** Form bodies posted from action-link pages. Everything arrives as text; numbers and dates are parsed here. */

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const MULTILINE_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

const longText = (min: number, max: number) =>
  z.string().check(
    z.trim(),
    z.minLength(min, min > 0 ? 'is required' : undefined),
    z.maxLength(max, `must be at most ${max} characters`),
    z.refine((s) => !MULTILINE_CONTROL.test(s), 'must not contain control characters'),
  );

const note = z.optional(longText(0, 2000));

const isoDate = z.string().check(
  z.regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2027-01-31'),
  z.refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
  }, 'is not a real calendar date'),
);

const money = z.pipe(
  z.string().check(z.regex(/^\d{1,12}(\.\d{1,2})?$/, 'must be a number like 95000')),
  z.transform((s) => Number(s)),
);

export const gateEvidenceSchemas = {
  'target-account-selection': z.object({ note }),
  'door-opener': z.object({ meetingDate: isoDate, note }),
  'joint-discovery': z.object({
    briefUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) link to the shared brief' }),
    note,
  }),
  'joint-pursuit-and-proof': z.object({
    customerConfirmation: z.literal('yes', 'tick the box to confirm the path to a decision'),
    note,
  }),
  'close-register-review': z.object({
    outcome: z.enum(['won', 'lost'], 'must be won or lost'),
    finalArr: money,
    lesson: longText(3, 2000),
  }),
} satisfies Record<StageKey, z.ZodMiniType>;

export const milestoneDoneSchema = z.object({ note });
/** A slip: the new date, why, and how to handle it (absorb, the default, or propose moving the close date). */
export const milestoneSlipSchema = z.object({
  newDue: isoDate,
  reason: longText(1, 500),
  choice: z.optional(z.enum(['absorb', 'propose'])),
});
/** The vendor owner's answer to a proposal to move the close date. */
export const decideReplanSchema = z.object({ decision: z.enum(['approve', 'decline']) });
export const milestoneStuckSchema = z.object({ reason: longText(1, 500) });
export const acceptHandoffSchema = z.object({ note });
export const waiveMilestoneSchema = z.object({ reason: longText(1, 500) });
