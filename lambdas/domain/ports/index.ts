/** What the domain needs from the outside world, one port per file. Adapters implement these; tests pass fakes. */
export type {
  AnnouncementSchedule,
  AnnouncementWhat,
  HeldAnnouncement,
  SilenceWatch,
} from './announcement-schedule.port';
export type { Clock } from './clock.port';
export type {
  DealSnapshot,
  DealStore,
  DealSummary,
  LinkUse,
  PlanListPage,
  PlanListQuery,
} from './deal-store.port';
export type { Deps } from './deps';
export type { EffectLedger } from './effect-ledger.port';
export type { EventPublisher } from './event-publisher.port';
export type { HistoryEntry, HistoryKind, HistoryStore } from './history-store.port';
export type { CalendarInvite, InvitationMailer } from './invitation-mailer.port';
export type { Mailer, OutboundEmail } from './mailer.port';
export type {
  AceReviewNotice,
  DigestItem,
  EmailSubjects,
  FreshLink,
  MessageViews,
  ViewsOf,
} from './message-views.port';
export type { PartnerPlanStore } from './partner-plan-store.port';
export type { PlanList } from './plan-list.port';
export type { ReportReader } from './report-reader.port';
export type { ReviewDue, ReviewSchedule } from './review-schedule.port';
export type { Suppression, SuppressionList } from './suppression-list.port';
export type { TenantConfig } from './tenant-config';
export type { Workflow } from './workflow.port';
export type { ExecutionInfo, WorkflowAdmin } from './workflow-admin.port';
