import { messageViews } from './emails/message-views';
import { renderLinkPage } from './pages/link-page';
import { renderOnePager } from './pages/one-pager';
import { renderProgramReportPage } from './pages/report-page';
import { renderRoomPage } from './pages/room-page';

/**
 * Every view that writes HTML for a person, by name. Handlers import the one they use (a bundle carries only
 * its own views); this list is for the tests that must cover them all, such as the hostile-text test: a new
 * view added here without a case there fails to type-check.
 */
export const PAGE_VIEWS = {
  linkPage: renderLinkPage,
  programReportPage: renderProgramReportPage,
  onePager: renderOnePager,
  roomPage: renderRoomPage,
} as const;

/** The emails (HTML and text) and the calendar invitation. */
export const EMAIL_VIEWS = messageViews;
