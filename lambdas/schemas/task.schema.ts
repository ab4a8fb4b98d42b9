import * as z from 'zod/mini';
import './zod-locale';
import { STAGE_KEYS } from '../domain/vocabulary';

/** Payloads the state machine hands its tasks (see docs/design.md, "The state machine"). */

const planId = z.string().check(z.regex(/^pl_[a-f0-9]{20}$/, 'must be a plan id'));
const stage = z.enum(STAGE_KEYS);

export const gateDeadlineInput = z.object({ planId, stage });
export const gateOpenInput = z.object({
  planId,
  stage,
  taskToken: z.string().check(z.minLength(1), z.maxLength(8192)),
  escalations: z.int().check(z.gte(0)),
});
export const gateEscalateInput = z.object({ planId, stage, escalations: z.int().check(z.gte(0)) });
export const registerDealInput = z.object({ planId, outcome: z.enum(['won', 'lost']) });
