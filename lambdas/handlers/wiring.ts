import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { systemClock } from '../adapters/clock.adapter';
import { DynamoAnnouncementSchedule } from '../adapters/dynamodb/announcement-schedule.adapter';
import { DynamoDealStore, type TableNames } from '../adapters/dynamodb/deal-store.adapter';
import { documentClient } from '../adapters/dynamodb/document-client';
import { DynamoEffectLedger } from '../adapters/dynamodb/effect-ledger.adapter';
import { DynamoHistoryStore } from '../adapters/dynamodb/history-store.adapter';
import { DynamoSuppressionList } from '../adapters/dynamodb/suppression-list.adapter';
import { type Environment, readEnvironment, required } from '../adapters/environment';
import { EventBridgePublisher } from '../adapters/eventbridge.adapter';
import { logger } from '../adapters/logger';
import { SecretSigningKeys } from '../adapters/secrets.adapter';
import { SesMailer, sesClient } from '../adapters/ses.adapter';
import { StepFunctionsAdmin, StepFunctionsWorkflow } from '../adapters/sfn.adapter';
import { VENDOR_NAME } from '../domain/defaults';
import { HistoryMailer } from '../domain/history';
import { RoomLinkedEvents } from '../domain/room-linked-events';
import { RoomLinkMailer } from '../domain/use-cases/room';
import { SuppressingMailer } from '../domain/use-cases/suppression';
import { reviewInviteView } from '../views/calendar/ics';
import { dealClosedEmail, stagePassedEmail } from '../views/emails/announcement-emails';
import { emailBranding } from '../views/emails/branding';
import { freshLinkEmail } from '../views/emails/fresh-link-email';
import { escalationEmail, gateOpenEmail, gateOverdueEmail } from '../views/emails/gate-emails';
import { slipNoticeEmail, suppressionNoticeEmail, weeklyReviewEmail } from '../views/emails/notice-emails';
import { digestEmail, earlyWarningEmail, ghostingEmail, reminderEmail } from '../views/emails/sweep-emails';
import { tenantConfig } from './tenant-config';

/**
 * The composition root each handler draws from: it builds only what it asks for, once per cold start,
 * so a bundle carries only the SDK clients its handler uses.
 */
export const clock = systemClock;

export function environment(): Environment {
  return readEnvironment();
}

export { tenantConfig };

/**
 * A deal store class: DynamoDealStore, or one of its subclasses with the list (DynamoListedDealStore) or
 * every read (DynamoReadingDealStore), which only the handlers that use them import.
 */
type StoreClass<S extends DynamoDealStore> = new (db: DynamoDBDocumentClient, tables: TableNames) => S;

export function dynamo<S extends DynamoDealStore = DynamoDealStore>(env: Environment, Store?: StoreClass<S>) {
  const db = documentClient();
  const Class = Store ?? (DynamoDealStore as StoreClass<S>);
  return {
    store: new Class(db, {
      plans: env.PLANS_TABLE,
      milestones: env.MILESTONES_TABLE,
      links: env.LINKS_TABLE,
      idempotency: env.IDEMPOTENCY_TABLE,
    }),
    ledger: new DynamoEffectLedger(db, env.IDEMPOTENCY_TABLE, systemClock),
  };
}

/** The announcements deals hold (announce sends them, the reminder sweep what is left for later). */
export function announcementSchedule(env: Environment) {
  return new DynamoAnnouncementSchedule(documentClient(), env.MILESTONES_TABLE);
}

/** SES, skipping the tenant's suppressed addresses (hard bounces, complaints; see ses-events). */
export function mailer(env: Environment) {
  const ses = new SesMailer(
    sesClient(),
    required(env, 'SENDER_ADDRESS'),
    required(env, 'SES_CONFIGURATION_SET'),
    env.VENDOR_NAME ?? VENDOR_NAME,
  );
  const suppressing = new SuppressingMailer(ses, suppressions(env), (email, skipped) =>
    logger.warn('suppressed recipients skipped', { key: email.key, skipped }),
  );
  // Every email about a deal lands in its history (to, subject, why).
  return new HistoryMailer(
    suppressing,
    history(env),
    () => clock.now(),
    (warning) => logger.warn(warning),
  );
}

/** Each deal's append-only trail (GET /plans/{planId}/history), in the idempotency table. */
export function history(env: Environment) {
  return new DynamoHistoryStore(documentClient(), env.IDEMPOTENCY_TABLE);
}

export function suppressions(env: Environment) {
  return new DynamoSuppressionList(documentClient(), env.IDEMPOTENCY_TABLE);
}

export function workflow(env: Environment) {
  return new StepFunctionsWorkflow(sfnClient(), env.STATE_MACHINE_ARN ?? '');
}

/** The reconciler's view of the executions (the reminder sweep only; one SFN client per function). */
export function workflowAdmin(env: Environment) {
  return new StepFunctionsAdmin(sfnClient(), required(env, 'STATE_MACHINE_ARN'));
}

let sfn: SFNClient | undefined;
const sfnClient = () => {
  sfn ??= new SFNClient({});
  return sfn;
};

export function events(env: Environment) {
  return new EventBridgePublisher(new EventBridgeClient({}), required(env, 'EVENT_BUS_NAME'));
}

/** The tenant bus, each deal event carrying view links to the deal room (for the channels' messages). */
export function roomLinkedEvents(env: Environment) {
  const deps = { clock, config: tenantConfig(env), keys: signingKeys(env), store: dynamo(env).store };
  return new RoomLinkedEvents(events(env), deps, (warning) => logger.warn(warning));
}

/** Which keys verify depends on the clock (the local one moves) and the tenant's link lifetime. */
export function signingKeys(env: Environment) {
  return new SecretSigningKeys(required(env, 'LINK_KEYS_SECRET_ARN'), clock, env.LINK_TTL_DAYS);
}

/**
 * What every function that emails people with links needs: deals, ledger, mail and link keys. Every email
 * leaves with its recipient's view link to the deal room signed in (RoomLinkMailer).
 */
export function messaging<S extends DynamoDealStore = DynamoDealStore>(
  env: Environment,
  Store?: StoreClass<S>,
) {
  const deps = { clock, config: tenantConfig(env), keys: signingKeys(env) };
  return {
    ...deps,
    ...dynamo(env, Store),
    mailer: new RoomLinkMailer(mailer(env), deps, emailBranding(deps.config)),
  };
}

// The emails each function sends (lambdas/views/emails), as its use cases ask for them (`ViewsOf`). One
// constant per function, so a handler's bundle carries its own emails and no other.
export const gateOpenViews = { gateOpen: gateOpenEmail };
/** What a passed stage or a close announces to the deal's owners (announce). */
export const announceViews = { stagePassed: stagePassedEmail, dealClosed: dealClosedEmail };
export const gateEscalateViews = { gateOverdue: gateOverdueEmail, escalation: escalationEmail };
export const actionLinkViews = {
  escalation: escalationEmail,
  slipNotice: slipNoticeEmail,
  freshLink: freshLinkEmail,
  // A slip's proposal to the vendor owner, and the decline told to its reporter.
  digest: digestEmail,
};
export const reminderSweepViews = {
  reminder: reminderEmail,
  earlyWarning: earlyWarningEmail,
  ghosting: ghostingEmail,
  digest: digestEmail,
  escalation: escalationEmail,
  // Announcements held for the recipient's working morning go out with the sweep.
  stagePassed: stagePassedEmail,
  dealClosed: dealClosedEmail,
  weeklyReview: weeklyReviewEmail,
  reviewInvite: reviewInviteView,
};
export const sesEventsViews = { suppressionNotice: suppressionNoticeEmail };
