import type { SigningKeys } from '../links';
import type { Clock } from './clock.port';
import type { DealStore } from './deal-store.port';
import type { EffectLedger } from './effect-ledger.port';
import type { EventPublisher } from './event-publisher.port';
import type { Mailer } from './mailer.port';
import type { MessageViews } from './message-views.port';
import type { TenantConfig } from './tenant-config';
import type { Workflow } from './workflow.port';

/**
 * The ports most use cases draw from (each picks what it uses). A capability only some functions have
 * (review schedule, report reader, invitations, suppressions, partner plans) is not here: the use case
 * that needs it names it in its own deps type.
 */
export interface Deps {
  clock: Clock;
  store: DealStore;
  mailer: Mailer;
  /** Writes the emails the use cases send (lambdas/views/emails). */
  views: MessageViews;
  ledger: EffectLedger;
  workflow: Workflow;
  events: EventPublisher;
  keys: SigningKeys;
  config: TenantConfig;
}
