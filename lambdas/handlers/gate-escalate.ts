import { logger } from '../adapters/logger';
import { escalateGate } from '../domain/use-cases/gates';
import { gateEscalateInput } from '../schemas/task.schema';
import { clock, dynamo, environment, mailer, signingKeys, tenantConfig } from './wiring';

const env = environment();
const deps = {
  clock,
  config: tenantConfig(env),
  ...dynamo(env),
  mailer: mailer(env),
  keys: signingKeys(env),
};

/** Task `Escalate: <stage>` (a gate's deadline passed): escalates and says how long to wait again. */
export const handler = async (event: unknown) => {
  const input = gateEscalateInput.parse(event);
  const result = await escalateGate(deps, input);
  logger.info('gate escalated', { planId: input.planId, stage: input.stage, ...result });
  return result;
};
