import { required } from '../adapters/environment';
import { logger } from '../adapters/logger';
import { sweepReminders } from '../domain/use-cases/reminders';
import { sendWeeklyReviews } from '../domain/use-cases/weekly-review';
import { environment, events, messaging, reminderSweepViews } from './wiring';

const env = environment();
const deps = { ...messaging(env), views: reminderSweepViews, events: events(env) };

/** Scheduled: reminders and overdue escalations for the milestones whose next nudge is due. */
export const handler = async (): Promise<void> => {
  const { warnings, ...report } = await sweepReminders(deps);
  if (warnings) logger.warn('reminder sweep warnings', { warnings });
  logger.info('reminder sweep', { ...report });
  // Then the weekly reviews that fell due. Apart, so that a review failure never costs a reminder; a plan
  // whose review failed stays due and is tried again by the next sweep.
  try {
    const reviews = await sendWeeklyReviews({ ...deps, sender: required(env, 'SENDER_ADDRESS') });
    if (reviews.due > 0 || reviews.failed.length > 0) logger.info('weekly reviews', { ...reviews });
  } catch (error) {
    logger.error('weekly reviews failed', { error: error as Error });
  }
};
