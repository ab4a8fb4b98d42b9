import { logger } from '../adapters/logger';
import { setGateDeadline } from '../domain/use-cases/gates';
import { gateDeadlineInput } from '../schemas/task.schema';
import { clock, dynamo, environment, tenantConfig } from './wiring';

const env = environment();
const deps = { clock, config: tenantConfig(env), store: dynamo(env).store };

/** Task `Set deadline: <stage>`: opens the stage and returns how long its gate waits. */
export const handler = async (event: unknown) => {
  const input = gateDeadlineInput.parse(event);
  const result = await setGateDeadline(deps, input);
  logger.info('gate deadline set', { planId: input.planId, stage: input.stage, ...result });
  return result;
};
