import * as z from 'zod/mini';
import './zod-locale';
import { STAGE_KEYS } from '../domain/vocabulary';

/** Payloads the state machine hands its tasks (see docs/design.md, "The state machine"). */

// A generated id (`pl_` and 20 hex digits) or a plan file's own `id` (plan.schema.ts PLAN_ID).
const planId = z.string().check(z.regex(/^(?:pl_[a-f0-9]{20}|[a-z0-9-]{3,63})$/, 'must be a plan id'));
const stage = z.enum(STAGE_KEYS);

export const gateDeadlineInput = z.object({ planId, stage });
export const gateOpenInput = z.object({
  planId,
  stage,
  taskToken: z.string().check(z.minLength(1), z.maxLength(8192)),
  escalations: z.int().check(z.gte(0)),
  /** The execution waiting at the gate (`$$.Execution.Id`), kept with the token for the reconciler. */
  executionArn: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
});
export const gateEscalateInput = z.object({ planId, stage, escalations: z.int().check(z.gte(0)) });
export const registerDealInput = z.object({ planId, outcome: z.enum(['won', 'lost']) });
