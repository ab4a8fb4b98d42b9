import * as z from 'zod/mini';
import './zod-locale';
import { CLOSE_OUTCOMES } from '../domain/plan-close';

/** The body of `POST /plans/{planId}/close`. */
export const closePlanSchema = z.strictObject({
  outcome: z.enum(CLOSE_OUTCOMES),
  reason: z
    .string()
    .check(z.trim(), z.minLength(1, 'say why the deal closed'), z.maxLength(500, 'at most 500 characters')),
  lesson: z.optional(z.string().check(z.trim(), z.maxLength(2000, 'at most 2000 characters'))),
});

export type ClosePlanInput = z.output<typeof closePlanSchema>;
