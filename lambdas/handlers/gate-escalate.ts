import { logger } from '../adapters/logger';
import { escalateGate } from '../domain/use-cases/gates';
import { gateEscalateInput } from '../schemas/task.schema';
import { runTask } from './task';
import { environment, gateEscalateViews, messaging, roomLinkedEvents } from './wiring';

const env = environment();
const deps = { ...messaging(env), views: gateEscalateViews, events: roomLinkedEvents(env) };

/** Task `Escalate: <stage>` (a gate's deadline passed): escalates and says how long to wait again. */
export const handler = async (event: unknown) => {
  const input = gateEscalateInput.parse(event);
  const { warnings, ...result } = await runTask('escalate', input.planId, () => escalateGate(deps, input));
  if (warnings) logger.warn('gate escalated with warnings', { planId: input.planId, warnings });
  logger.info('gate escalated', { planId: input.planId, stage: input.stage, ...result });
  return result;
};
