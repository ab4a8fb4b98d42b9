import { logger } from '../adapters/logger';
import { announceHeld } from '../domain/use-cases/announcements';
import { announcedBy, announceEvent } from '../schemas/announce.schema';
import { announcementSchedule, announceViews, environment, messaging } from './wiring';

const env = environment();
// messaging: the deal, the ledger, and mail with each owner's room link signed in.
const deps = { ...messaging(env), announcements: announcementSchedule(env), views: announceViews };

/**
 * A rule on the tenant bus: a stage passed, a deal registered or closed lost. Sends what that change held
 * for the deal's owners (announceHeld). An error is thrown, so EventBridge's async invoke retries it; what
 * is still held after the hand-off, the reminder sweep sends.
 */
export const handler = async (event: unknown) => {
  const parsed = announceEvent.parse(event);
  const what = announcedBy(parsed);
  const result = await announceHeld(deps, parsed.detail.planId, what);
  logger.info('announce', { planId: parsed.detail.planId, what: what.kind, ...result });
  return result;
};
