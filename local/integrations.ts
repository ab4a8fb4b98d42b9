import { join } from 'node:path';
import { ANNOUNCE_DETAIL_TYPES } from '../lambdas/schemas/announce.schema';
import type { TenantSettings } from '../lib/tenant-config';
import type { AwsEmulator, LocalEvent } from './aws-emulator';
import { type BusEnvelope, channelRules, envelopeOf, LocalEventRules, postJson } from './event-rules';
import type { LocalRequest } from './http-server';
import { PartnerCentralEmulator } from './partner-central-emulator';
import { WebhookReceiver } from './webhook-receiver';

/**
 * The local side of channels and ACE: the event rules of the local bus (channels from the tenant file, the
 * ace-sync handler when `ace` is on), the webhook stand-in receiver and the Partner Central endpoint.
 * The runtime makes one, passes `publish` to the AWS emulator, spreads `env` into the functions' environment,
 * calls `attach` once the handlers may be imported, and serves `routes`.
 */
type LocalRoute = (body: string, request?: LocalRequest) => Promise<{ status: number; body: unknown }>;

export interface LocalIntegrationsOptions {
  settings: Pick<TenantSettings, 'channels' | 'ace'>;
  /** The local HTTP server's base URL: a channel `url` that is a path (`/_local/webhooks/deals`) is under it. */
  baseUrl: string;
  stateDir: string;
  now: () => Date;
  log: (line: string) => void;
}

export function localIntegrations(options: LocalIntegrationsOptions) {
  const { settings, baseUrl, stateDir, now, log } = options;
  const rules = new LocalEventRules({
    now,
    log,
    deadLetterFile: join(stateDir, 'dead-letters.jsonl'),
    deliveriesFile: join(stateDir, 'deliveries.jsonl'),
  });
  const receiver = new WebhookReceiver(now, join(stateDir, 'webhooks.jsonl'));
  const ace = new PartnerCentralEmulator(join(stateDir, 'ace.json'), now);
  const channels = (settings.channels ?? []).map((c) =>
    c.url?.startsWith('/') ? { ...c, url: `${baseUrl}${c.url}` } : c,
  );
  rules.add(...channelRules(channels, postJson));

  return {
    publish: (events: readonly LocalEvent[]) => rules.publish(events),
    whenIdle: () => rules.whenIdle(),
    /** After a restart: what a crash left undelivered to the rules (see LocalEventRules.redeliver). */
    redeliver: (stored: readonly LocalEvent[]) => rules.redeliver(stored),
    env(emulatorUrl: string): Record<string, string> {
      return {
        AWS_ENDPOINT_URL_PARTNERCENTRAL_SELLING: emulatorUrl,
        ...(settings.ace
          ? {
              ACE_CATALOG: settings.ace.catalog,
              ACE_ONLY_PAPER: settings.ace.onlyPaper.join(','),
              ...(settings.ace.solutionId ? { ACE_SOLUTION_ID: settings.ace.solutionId } : {}),
            }
          : {}),
      };
    },
    /**
     * Registers the announce rule (stage passes and closes, to the deal's owners), the Partner Central
     * operations and, with `ace`, the ace-sync rules (import after the env is applied).
     */
    async attach(emulator: AwsEmulator, announce: (event: BusEnvelope) => Promise<unknown>): Promise<void> {
      rules.add({
        name: 'announce (deal moments)',
        pattern: { source: ['cosell.flow'], 'detail-type': [...ANNOUNCE_DETAIL_TYPES] },
        target: async (event) => {
          await announce(event);
        },
      });
      for (const [target, fn] of Object.entries(ace.routes())) emulator.route(target, fn);
      if (!settings.ace) return;
      // Imported only with `ace`: the construct's module loads aws-cdk-lib (half a second of every start).
      const [{ handler }, { ACE_SYNC_DETAIL_TYPES }] = await Promise.all([
        import('../lambdas/handlers/ace-sync'),
        import('../lib/constructs/ace-sync'),
      ]);
      const invoke = async (event: BusEnvelope) => {
        await handler(event);
      };
      rules.add(
        {
          name: 'ace-sync (deal events)',
          pattern: { source: ['cosell.flow'], 'detail-type': [...ACE_SYNC_DETAIL_TYPES] },
          target: invoke,
        },
        {
          name: 'ace-sync (Partner Central review)',
          pattern: {
            source: ['aws.partnercentral-selling'],
            'detail-type': ['Opportunity Updated'],
            detail: { catalog: [settings.ace.catalog] },
          },
          target: invoke,
        },
      );
    },
    routes(): Record<string, LocalRoute> {
      return {
        ...receiver.routes(),
        'GET /_local/ace': async () => ({ status: 200, body: ace.list() }),
        // As ACE's reviewers would: `{"id": "O1234567", "status": "Action Required", "comments": "..."}`;
        // Partner Central then puts `Opportunity Updated` on the account's bus.
        'POST /_local/ace/review': async (body) => {
          const { id, status, comments } = JSON.parse(body || '{}') as Record<string, string>;
          const o = ace.review(String(id), String(status), comments);
          rules.publish([
            {
              id: `ace-${o.Id}-${o.LastModifiedDate}`,
              'detail-type': 'Opportunity Updated',
              source: 'aws.partnercentral-selling',
              detail: { schemaVersion: '1', catalog: o.Catalog, opportunity: { identifier: o.Id } },
              eventBusName: 'default',
              time: now().toISOString(),
            },
          ]);
          await rules.whenIdle();
          return { status: 200, body: { id: o.Id, status } };
        },
        'GET /_local/dead-letters': async () => ({ status: 200, body: rules.deadLetters() }),
      };
    },
  };
}

export type { BusEnvelope };
export { envelopeOf };
