import { logger } from '../adapters/logger';
import { setGateDeadline } from '../domain/use-cases/gates';
import { gateDeadlineInput } from '../schemas/task.schema';
import { runTask } from './task';
import { clock, dynamo, environment, roomLinkedEvents, tenantConfig } from './wiring';

const env = environment();
const deps = { clock, config: tenantConfig(env), ...dynamo(env), events: roomLinkedEvents(env) };

/** Task `Set deadline: <stage>`: opens the stage (publishing Plan Started for the first) and returns how long its gate waits. */
export const handler = async (event: unknown) => {
  const input = gateDeadlineInput.parse(event);
  const { warnings, ...result } = await runTask('set deadline', input.planId, () =>
    setGateDeadline(deps, input),
  );
  if (warnings) logger.warn('gate deadline set with warnings', { planId: input.planId, warnings });
  logger.info('gate deadline set', { planId: input.planId, stage: input.stage, ...result });
  return result;
};
