import { documentClient } from '../adapters/dynamodb/document-client';
import { DynamoPartnerPlanStore } from '../adapters/dynamodb/partner-plan-store.adapter';
import { logger } from '../adapters/logger';
import { registerDeal } from '../domain/use-cases/register';
import { registerDealInput } from '../schemas/task.schema';
import { runTask } from './task';
import { clock, dynamo, environment, events, signingKeys, tenantConfig } from './wiring';

const env = environment();
// With the partner-plans table, the partner's credit rule is checked against the deal (attributionCheck).
const partnerPlans = env.PARTNER_PLANS_TABLE
  ? new DynamoPartnerPlanStore(documentClient(), env.PARTNER_PLANS_TABLE)
  : undefined;
// The link keys and tenant config sign the vendor and partner owners' room links into the registration event.
const deps = {
  clock,
  ...dynamo(env),
  events: events(env),
  keys: signingKeys(env),
  config: tenantConfig(env),
  ...(partnerPlans ? { partnerPlans } : {}),
};

/** Tasks `Register won deal` / `Register lost deal`: exactly one registration event per deal. */
export const handler = async (event: unknown) => {
  const input = registerDealInput.parse(event);
  const result = await runTask('register', input.planId, () =>
    registerDeal(deps, input, (warning) => logger.warn(warning)),
  );
  logger.info('deal registered', { planId: input.planId, ...result });
  return result;
};
