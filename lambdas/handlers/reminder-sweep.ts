import { logger } from '../adapters/logger';
import { sweepReminders } from '../domain/use-cases/reminders';
import { clock, dynamo, environment, mailer, signingKeys, tenantConfig } from './wiring';

const env = environment();
const deps = {
  clock,
  config: tenantConfig(env),
  ...dynamo(env),
  mailer: mailer(env),
  keys: signingKeys(env),
};

/** Scheduled: reminders and overdue escalations for the milestones whose next nudge is due. */
export const handler = async (): Promise<void> => {
  const report = await sweepReminders(deps);
  logger.info('reminder sweep', { ...report });
};
