import type { SNSEvent } from 'aws-lambda';
import { DynamoListedDealStore } from '../adapters/dynamodb/listed-deal-store.adapter';
import { logger } from '../adapters/logger';
import { recordSesEvent } from '../domain/use-cases/suppression';
import { readSesEvent } from '../schemas/ses-event.schema';
import { clock, dynamo, environment, mailer, sesEventsViews, suppressions, tenantConfig } from './wiring';

const env = environment();
const deps = {
  clock,
  config: tenantConfig(env),
  // A suppression lists the active deals naming the address.
  ...dynamo(env, DynamoListedDealStore),
  mailer: mailer(env),
  views: sesEventsViews,
  suppressions: suppressions(env),
};

/**
 * SES event publishing (the tenant's configuration set -> SNS): a hard bounce or a complaint suppresses the
 * address for this tenant and tells the vendor owner of each active plan naming it. Deliveries, rejects
 * and transient bounces are only logged. Safe to run twice: suppressing and telling are each once.
 */
export const handler = async (event: SNSEvent): Promise<void> => {
  let failed: unknown;
  for (const record of event.Records ?? []) {
    const read = readSesEvent(record.Sns.Message);
    if ('issues' in read) {
      // Not ours to retry: a message that is not an SES event will not become one.
      logger.warn('not an SES event; skipped', { messageId: record.Sns.MessageId, issues: read.issues });
      continue;
    }
    const message = read.event;
    try {
      const report = await recordSesEvent(deps, message);
      logger.info('SES event', {
        eventType: message.eventType ?? message.notificationType,
        suppressed: report.suppressed.length,
        notices: report.notices,
      });
    } catch (error) {
      // Go on with the other records; the failure makes Lambda retry the event (each effect is once).
      logger.error('SES event failed', { messageId: record.Sns.MessageId, error: error as Error });
      failed ??= error;
    }
  }
  if (failed) throw failed;
};
