import { logger } from '../adapters/logger';
import { awaitGate } from '../domain/use-cases/gates';
import { gateOpenInput } from '../schemas/task.schema';
import { runTask } from './task';
import { environment, gateOpenViews, messaging, workflow } from './wiring';

const env = environment();
const deps = { ...messaging(env), views: gateOpenViews, workflow: workflow(env) };

/** Task `Await gate: <stage>` (.waitForTaskToken): records the token and emails the gate's asks, once. */
export const handler = async (event: unknown): Promise<void> => {
  const input = gateOpenInput.parse(event);
  await runTask('await gate', input.planId, () => awaitGate(deps, input));
  logger.info('gate waiting', { planId: input.planId, stage: input.stage, escalations: input.escalations });
};
