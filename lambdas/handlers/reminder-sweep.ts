import { DynamoReviewDealStore } from '../adapters/dynamodb/review-deal-store.adapter';
import { required } from '../adapters/environment';
import { logger } from '../adapters/logger';
import { RECONCILED_LOG } from '../domain/defaults';
import { reconcileWorkflows } from '../domain/use-cases/reconcile';
import { sweepReminders } from '../domain/use-cases/reminders';
import { sendWeeklyReviews } from '../domain/use-cases/weekly-review';
import {
  announcementSchedule,
  environment,
  messaging,
  reminderSweepViews,
  roomLinkedEvents,
  workflow,
  workflowAdmin,
} from './wiring';

const env = environment();
// The store with the review index: weekly reviews, and reconciling the workflows, read it.
const deps = {
  ...messaging(env, DynamoReviewDealStore),
  // What deals hold for their owners' working mornings (and their silence watches).
  announcements: announcementSchedule(env),
  views: reminderSweepViews,
  events: roomLinkedEvents(env),
};
const workflows = { workflow: workflow(env), admin: workflowAdmin(env) };

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
  // Last, the reconciler: every active deal has a workflow waiting at its stage's gate. Its one log line per
  // sweep feeds the needs-attention metric (a CloudWatch metric filter on RECONCILED_LOG.message).
  try {
    const { errors, ...report } = await reconcileWorkflows({ ...deps, ...workflows, reviews: deps.store });
    if (errors.length) logger.warn('reconciler could not reconcile some deals', { errors });
    logger.info(RECONCILED_LOG.message, { ...report });
  } catch (error) {
    logger.error('reconciler failed', { error: error as Error });
  }
};
