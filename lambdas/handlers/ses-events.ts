import type { SNSEvent } from 'aws-lambda';
import { logger } from '../adapters/logger';
import { recordSesEvent, type SesEvent } from '../domain/use-cases/suppression';
import { clock, dynamo, environment, mailer, suppressions, tenantConfig } from './wiring';

const env = environment();
const deps = {
  clock,
  config: tenantConfig(env),
  ...dynamo(env),
  mailer: mailer(env),
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
    let message: SesEvent;
    try {
      message = JSON.parse(record.Sns.Message) as SesEvent;
    } catch {
      logger.warn('SES event is not JSON; ignored', { messageId: record.Sns.MessageId });
      continue;
    }
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
