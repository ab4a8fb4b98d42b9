import { PartnerCentralSellingClient } from '@aws-sdk/client-partnercentral-selling';
import { DynamoAceDealRecorder } from '../adapters/dynamodb/ace-deal.adapter';
import { documentClient } from '../adapters/dynamodb/document-client';
import { required } from '../adapters/environment';
import { logger } from '../adapters/logger';
import { PartnerCentralAdapter } from '../adapters/partner-central.adapter';
import { type AceSettings, type BusEvent, syncAce } from '../domain/use-cases/ace-sync';
import { aceReviewEmail } from '../views/emails/ace-review-email';
import { environment, events, messaging } from './wiring';

const env = environment();
const ace: AceSettings = {
  catalog: process.env.ACE_CATALOG === 'AWS' ? 'AWS' : 'Sandbox',
  ...(process.env.ACE_SOLUTION_ID ? { solutionId: process.env.ACE_SOLUTION_ID } : {}),
  onlyPaper: (process.env.ACE_ONLY_PAPER ?? 'marketplace').split(',').filter(Boolean),
};
// Partner Central Selling is served from us-east-1 only, whichever region the tenant runs in.
// messaging: deals, ledger, and the vendor owner's email about ACE's review with their room link signed in.
const deps = {
  ...messaging(env),
  views: { aceReview: aceReviewEmail },
  events: events(env),
  partnerCentral: new PartnerCentralAdapter(new PartnerCentralSellingClient({ region: 'us-east-1' })),
  recorder: new DynamoAceDealRecorder(documentClient(), required(env, 'PLANS_TABLE')),
  ace,
};

/**
 * Rules on the tenant bus (plan started, stage advanced, registered, closed lost) and on the default bus
 * (Partner Central's `Opportunity Updated`). An error is thrown: EventBridge's async invoke retries it.
 */
export const handler = async (event: BusEvent) => {
  const result = await syncAce(deps, event);
  logger.info('ace sync', { detailType: event['detail-type'], ...result });
  return result;
};
