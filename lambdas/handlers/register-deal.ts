import { logger } from '../adapters/logger';
import { registerDeal } from '../domain/use-cases/register';
import { registerDealInput } from '../schemas/task.schema';
import { clock, dynamo, environment, events } from './wiring';

const env = environment();
const deps = { clock, ...dynamo(env), events: events(env) };

/** Tasks `Register won deal` / `Register lost deal`: exactly one registration event per deal. */
export const handler = async (event: unknown) => {
  const input = registerDealInput.parse(event);
  const result = await registerDeal(deps, input);
  logger.info('deal registered', { planId: input.planId, ...result });
  return result;
};
