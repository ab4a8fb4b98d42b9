import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { systemClock } from '../adapters/clock.adapter';
import { DynamoDealStore } from '../adapters/dynamodb/deal-store.adapter';
import { documentClient } from '../adapters/dynamodb/document-client';
import { DynamoEffectLedger } from '../adapters/dynamodb/effect-ledger.adapter';
import { DynamoSuppressionList } from '../adapters/dynamodb/suppression-list.adapter';
import { type Environment, readEnvironment, required } from '../adapters/environment';
import { EventBridgePublisher } from '../adapters/eventbridge.adapter';
import { logger } from '../adapters/logger';
import { SecretSigningKeys } from '../adapters/secrets.adapter';
import { SesMailer, sesClient } from '../adapters/ses.adapter';
import { StepFunctionsWorkflow } from '../adapters/sfn.adapter';
import type { TenantConfig } from '../domain/ports';
import { SuppressingMailer } from '../domain/use-cases/suppression';
import { reviewInviteView } from '../views/calendar/ics';
import { freshLinkEmail } from '../views/emails/fresh-link-email';
import { escalationEmail, gateOpenEmail, gateOverdueEmail } from '../views/emails/gate-emails';
import { slipNoticeEmail, suppressionNoticeEmail, weeklyReviewEmail } from '../views/emails/notice-emails';
import { digestEmail, ghostingEmail, reminderEmail } from '../views/emails/sweep-emails';

/**
 * The composition root each handler draws from: it builds only what it asks for, once per cold start,
 * so a bundle carries only the SDK clients its handler uses.
 */
export const clock = systemClock;

export function environment(): Environment {
  return readEnvironment();
}

export function tenantConfig(env: Environment): TenantConfig {
  return {
    tenant: env.TENANT,
    publicBaseUrl: required(env, 'PUBLIC_BASE_URL').replace(/\/+$/, ''),
    defaultTimezone: env.DEFAULT_TIMEZONE,
    linkTtlDays: env.LINK_TTL_DAYS,
    ghostingDays: env.GHOSTING_DAYS,
  };
}

export function dynamo(env: Environment) {
  const db = documentClient();
  return {
    store: new DynamoDealStore(db, {
      plans: env.PLANS_TABLE,
      milestones: env.MILESTONES_TABLE,
      links: env.LINKS_TABLE,
      idempotency: env.IDEMPOTENCY_TABLE,
    }),
    ledger: new DynamoEffectLedger(db, env.IDEMPOTENCY_TABLE, systemClock),
  };
}

/** SES, skipping the tenant's suppressed addresses (hard bounces, complaints; see ses-events). */
export function mailer(env: Environment) {
  const ses = new SesMailer(
    sesClient(),
    required(env, 'SENDER_ADDRESS'),
    required(env, 'SES_CONFIGURATION_SET'),
  );
  return new SuppressingMailer(ses, suppressions(env), (email, skipped) =>
    logger.warn('suppressed recipients skipped', { key: email.key, skipped }),
  );
}

export function suppressions(env: Environment) {
  return new DynamoSuppressionList(documentClient(), env.IDEMPOTENCY_TABLE);
}

export function workflow(env: Environment) {
  return new StepFunctionsWorkflow(new SFNClient({}), env.STATE_MACHINE_ARN ?? '');
}

export function events(env: Environment) {
  return new EventBridgePublisher(new EventBridgeClient({}), required(env, 'EVENT_BUS_NAME'));
}

/** Which keys verify depends on the clock (the local one moves) and the tenant's link lifetime. */
export function signingKeys(env: Environment) {
  return new SecretSigningKeys(required(env, 'LINK_KEYS_SECRET_ARN'), clock, env.LINK_TTL_DAYS);
}

/** What every function that emails people with links needs: deals, ledger, mail and link keys. */
export function messaging(env: Environment) {
  return { clock, config: tenantConfig(env), ...dynamo(env), mailer: mailer(env), keys: signingKeys(env) };
}

// The emails each function sends (lambdas/views/emails), as its use cases ask for them (`ViewsOf`). One
// constant per function, so a handler's bundle carries its own emails and no other.
export const gateOpenViews = { gateOpen: gateOpenEmail };
export const gateEscalateViews = { gateOverdue: gateOverdueEmail, escalation: escalationEmail };
export const actionLinkViews = {
  escalation: escalationEmail,
  slipNotice: slipNoticeEmail,
  freshLink: freshLinkEmail,
};
export const reminderSweepViews = {
  reminder: reminderEmail,
  ghosting: ghostingEmail,
  digest: digestEmail,
  escalation: escalationEmail,
  weeklyReview: weeklyReviewEmail,
  reviewInvite: reviewInviteView,
};
export const sesEventsViews = { suppressionNotice: suppressionNoticeEmail };
