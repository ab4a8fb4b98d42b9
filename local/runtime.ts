import './polyfills';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { advanceClock, clockOffsetMs, setClockOffset, systemClock } from '../lambdas/adapters/clock.adapter';
import { LOCAL_TASK_RETRY_MS } from '../lambdas/domain/defaults';
import {
  ACTIVE_BY_REVIEW_INDEX,
  OPEN_BY_DUE_INDEX,
  OPEN_SHARD_COUNT,
  REVIEW_SHARD_COUNT,
  TABLE_DEFINITIONS,
  tableName,
} from '../lib/table-definitions';
import { functionEnvironment, loadLocalTenantSettings } from '../lib/tenant-config';
import { TASK_STATE_HANDLERS } from '../lib/workflow/playbook.definition';
import { LOCAL_LINK_KEYS_SECRET_ARN, startAwsEmulator } from './aws-emulator';
import { applyEnv, localAwsEnv } from './aws-env';
import { ensureTables, localDynamoDbClient, startDynamoDbLocal } from './dynamodb-local';
import { startDynamoDbProxy } from './dynamodb-proxy';
import { FaultPlan, parseFaults } from './faults';
import { assertPortFree } from './free-port';
import { startHttpServer } from './http-server';
import { localIntegrations } from './integrations';
import { filterOutbox, inboxHeaders, renderInbox } from './outbox-inbox';
import { startSesLocal } from './ses-local';
import { localPlaybookAsl } from './step-functions/asl-from-template';
import { DynamoExecutionStore } from './step-functions/execution-store';
import { LocalStateMachine } from './step-functions/local-machine';
import { stepFunctionsRoutes } from './step-functions/sfn-routes';

/**
 * The composition root of the local stack: real DynamoDB Local and SES emulator, a tiny AWS endpoint for
 * EventBridge, Secrets Manager and Step Functions callbacks, the deployed state machine on a local ASL
 * interpreter, and the HTTP routes, all driving the same handler code that deploys to AWS.
 */

export const LOCAL_TENANT = 'local';
export const LOCAL_STATE_MACHINE_ARN =
  'arn:aws:states:us-east-1:000000000000:stateMachine:cosell-flow-local-playbook';

export interface LocalStackOptions {
  port?: number;
  /** Where data lives between runs. Default `.cosell`. */
  stateDir?: string;
  /** The reminder sweep's period on the local clock. */
  sweepMinutes?: number;
  log?: (line: string) => void;
}

export interface LocalStack {
  url: string;
  port: number;
  stop(): Promise<void>;
}

interface ClockState {
  offsetMs: number;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const port = options.port ?? 3000;
  const stateDir = resolve(options.stateDir ?? '.cosell');
  const log = options.log ?? ((line: string) => console.log(line));
  const sweepMs = (options.sweepMinutes ?? 15) * 60_000;
  const url = `http://127.0.0.1:${port}`;
  // Tenant settings first: a bad file is refused before anything starts.
  const tenant = loadLocalTenantSettings({
    file: process.env.COSELL_TENANT_FILE,
    rootDir: resolve(import.meta.dirname, '..'),
    local: {
      senderAddress: 'cosell-flow@local.example',
      publicBaseUrl: url,
      defaultTimezone: 'America/Chicago',
    },
  });
  mkdirSync(stateDir, { recursive: true });
  await assertPortFree(port, { envVar: 'PORT' });

  const clockFile = join(stateDir, 'clock.json');
  const saved = readJson<ClockState>(clockFile) ?? { offsetMs: 0 };
  if (saved.offsetMs > clockOffsetMs()) setClockOffset(saved.offsetMs);
  const saveClock = () =>
    writeFileSync(clockFile, JSON.stringify({ offsetMs: clockOffsetMs() } satisfies ClockState));

  const stops: (() => Promise<void>)[] = [];
  const faults = new FaultPlan();
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  try {
    const dynamodb = await startDynamoDbLocal({ dbPath: join(stateDir, 'dynamodb') });
    stops.push(() => dynamodb.stop());
    // The functions reach DynamoDB Local through a pass-through that can throttle (POST /_local/faults).
    const dynamodbProxy = await startDynamoDbProxy(dynamodb.endpoint, faults);
    stops.push(() => dynamodbProxy.stop());
    const ses = await startSesLocal({
      outboxFile: join(stateDir, 'outbox.jsonl'),
      now: () => systemClock.now(),
      faults,
    });
    stops.push(() => ses.stop());
    // Channels and ACE (local/integrations.ts): the local bus's rules, webhook receiver, Partner Central.
    const integrations = localIntegrations({
      settings: tenant.settings,
      baseUrl: url,
      stateDir,
      now: () => systemClock.now(),
      log,
    });
    const emulator = await startAwsEmulator({
      stateDir,
      linkKeysSecretArn: LOCAL_LINK_KEYS_SECRET_ARN,
      now: () => systemClock.now(),
      faults,
      onEvents: integrations.publish,
    });
    stops.push(() => emulator.stop());

    const ddb = localDynamoDbClient(dynamodb.endpoint);
    await ensureTables(ddb, TABLE_DEFINITIONS, (key) => tableName(LOCAL_TENANT, key));
    const tables = {
      PLANS_TABLE: tableName(LOCAL_TENANT, 'plans'),
      MILESTONES_TABLE: tableName(LOCAL_TENANT, 'milestones'),
      LINKS_TABLE: tableName(LOCAL_TENANT, 'links'),
      IDEMPOTENCY_TABLE: tableName(LOCAL_TENANT, 'idempotency'),
      PARTNER_PLANS_TABLE: tableName(LOCAL_TENANT, 'partnerPlans'),
    };
    applyEnv({
      ...localAwsEnv({ dynamodb: dynamodbProxy.url, ses: ses.url, emulator: emulator.url }),
      ...functionEnvironment(
        { ...tenant.settings, tenant: LOCAL_TENANT },
        {
          tables,
          sesConfigurationSet: 'cosell-flow-local',
          eventBusName: 'cosell-flow-local',
          linkKeysSecretArn: LOCAL_LINK_KEYS_SECRET_ARN,
        },
      ),
      STATE_MACHINE_ARN: LOCAL_STATE_MACHINE_ARN,
      ...integrations.env(emulator.url),
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    });

    // Imported only now, so that their SDK clients are built against the local endpoints.
    const handlers = {
      'plans-api': (await import('../lambdas/handlers/plans-api')).handler,
      'reports-api': (await import('../lambdas/handlers/reports-api')).handler,
      'action-link': (await import('../lambdas/handlers/action-link')).handler,
      'gate-deadline': (await import('../lambdas/handlers/gate-deadline')).handler,
      'gate-open': (await import('../lambdas/handlers/gate-open')).handler,
      'gate-escalate': (await import('../lambdas/handlers/gate-escalate')).handler,
      'register-deal': (await import('../lambdas/handlers/register-deal')).handler,
      'reminder-sweep': (await import('../lambdas/handlers/reminder-sweep')).handler,
    };

    await integrations.attach(emulator);
    const definition = localPlaybookAsl();
    // Executions are kept in DynamoDB Local (straight, not through the throttling pass-through).
    const executionStore = new DynamoExecutionStore(ddb, 'cosell-flow-local-sfn-executions');
    const newStore = await executionStore.ensureTable();
    const machine = new LocalStateMachine({
      definition,
      handlers: handlers as Record<string, (event: unknown) => Promise<unknown>>,
      stateMachineName: 'cosell-flow-local-playbook',
      clock: systemClock,
      store: executionStore,
      // The local clock does not move while a task waits to be retried: retry soon, not minutes later.
      retryIntervalOverrides: Object.fromEntries(
        Object.keys(TASK_STATE_HANDLERS).map((state) => [state, LOCAL_TASK_RETRY_MS]),
      ),
    });
    stops.push(() => machine.stop()); // stops run last-in first-out: workflows before the services they call
    for (const [target, fn] of Object.entries(stepFunctionsRoutes(machine, { faults })))
      emulator.route(target, fn);

    /** One run of the sweep. A failed run is logged and time goes on, as the schedule would fire again. */
    const sweepOnce = async () => {
      try {
        await handlers['reminder-sweep']();
      } catch (error) {
        log(
          `The reminder sweep failed (the next one tries again): ${(error as Error).name}: ${(error as Error).message}`,
        );
      }
    };

    /**
     * Moves the local clock to `target`, stopping at each reminder-sweep tick that has work (the sweep runs
     * on a fixed grid, as the deployed schedule does) and at each gate deadline on the way.
     */
    let sweptAt = Number.NEGATIVE_INFINITY;
    const runUntil = async (target: number) => {
      // Each sweep ends with the reconciler: the first tick of every move of the clock sweeps, nudge or not.
      let reconcileAt = Math.ceil((systemClock.now().getTime() + 1) / sweepMs) * sweepMs;
      for (;;) {
        const now = systemClock.now().getTime();
        // The next sweep with work: a milestone nudge or a weekly review not yet swept for.
        const pending = await earliestNudge(ddb, tables.MILESTONES_TABLE);
        const nudge = earliestAfter(sweptAt, pending, await earliestReview(ddb, tables.PLANS_TABLE, sweptAt));
        // A nudge the last sweep left due (a send deferred by a transient failure) is retried at the next
        // tick of the schedule, as the deployed schedule would.
        const retry =
          pending !== undefined && pending <= sweptAt ? sweptAt + sweepMs : Number.POSITIVE_INFINITY;
        const sweepAt = Math.min(
          retry,
          reconcileAt,
          nudge === undefined
            ? Number.POSITIVE_INFINITY
            : Math.ceil(Math.max(nudge, now) / sweepMs) * sweepMs,
        );
        const deadlines = machine
          .listWaitingTasks()
          .flatMap((t) => (t.deadline ? [t.deadline.getTime()] : []));
        const step = Math.min(target, sweepAt, ...deadlines.filter((d) => d > now));
        if (step > now) advanceClock(step - now);
        const at = systemClock.now().getTime();
        if (at >= sweepAt) {
          sweptAt = at;
          reconcileAt = Number.POSITIVE_INFINITY;
          await sweepOnce();
        }
        await machine.runDue();
        await machine.whenIdle();
        saveClock();
        if (at >= target) return;
      }
    };

    const server: Server = await startHttpServer(
      {
        plansApi: handlers['plans-api'],
        reportsApi: handlers['reports-api'],
        actionLink: handlers['action-link'],
        local: {
          ...integrations.routes(),
          // JSON for any client; a browser (Accept: text/html) gets the inbox page. ?to= and ?planId= filter both.
          'GET /_local/outbox': async (_body, request) => {
            const all = await ses.readOutbox();
            const filter = {
              ...(request?.query.get('to') ? { to: request.query.get('to') as string } : {}),
              ...(request?.query.get('planId') ? { planId: request.query.get('planId') as string } : {}),
            };
            const wantsHtml = /\btext\/html\b/.test(request?.headers.accept ?? '');
            return {
              status: 200,
              body: filterOutbox(all, filter),
              ...(wantsHtml ? { page: { html: renderInbox(all, filter), headers: inboxHeaders() } } : {}),
            };
          },
          'GET /_local/events': async () => ({
            status: 200,
            body: emulator.listEvents().map((e) => ({
              'detail-type': e['detail-type'],
              source: e.source,
              detail: e.detail,
              time: e.time,
            })),
          }),
          'POST /_local/clock': async (body) => {
            const ms = parseAdvance(body);
            if (typeof ms === 'string')
              return { status: 400, body: { error: ms, issues: [{ path: 'advance', message: ms }] } };
            await runUntil(systemClock.now().getTime() + ms);
            return { status: 200, body: { now: systemClock.now().toISOString(), offsetMs: clockOffsetMs() } };
          },
          'GET /_local/clock': async () => ({
            status: 200,
            body: { now: systemClock.now().toISOString(), offsetMs: clockOffsetMs() },
          }),
          // Tests: run one more sweep at this instant (a duplicate delivery of the schedule's event).
          'POST /_local/sweep': async () => {
            await sweepOnce();
            await machine.whenIdle();
            return { status: 200, body: { now: systemClock.now().toISOString() } };
          },
          // Tests: SES answers the next `throttle` sends with its throttling error.
          'POST /_local/ses/faults': async (body) => {
            const throttle = Number((readJsonText(body) as { throttle?: unknown } | undefined)?.throttle);
            if (!Number.isInteger(throttle) || throttle < 0) {
              return {
                status: 400,
                body: {
                  error: 'throttle must be a whole number',
                  issues: [{ path: 'throttle', message: 'must be a whole number' }],
                },
              };
            }
            ses.throttleNextSends(throttle);
            return { status: 200, body: { throttle } };
          },
          'GET /_local/ses/faults': async () => ({ status: 200, body: { throttle: ses.throttlesLeft() } }),
          // Faults in the next calls of SES, EventBridge, Step Functions callbacks and DynamoDB (local/faults.ts).
          'POST /_local/faults': async (body) => {
            const parsed = parseFaults(readJsonText(body) ?? null);
            if ('issues' in parsed)
              return { status: 400, body: { error: 'invalid faults', issues: parsed.issues } };
            faults.add(parsed.faults);
            return { status: 200, body: faults.report() };
          },
          'GET /_local/faults': async () => ({ status: 200, body: faults.report() }),
          // Tests: resolves once every execution waits for a callback or has ended (the stack at rest).
          'POST /_local/settle': async () => {
            await machine.whenIdle();
            await machine.flush();
            return { status: 200, body: { idle: true } };
          },
          // The state machine's executions, as ListExecutions would list them (for tests and curious people).
          'GET /_local/executions': async () => ({
            status: 200,
            body: machine.listExecutions().map((e) => ({
              name: e.name,
              status: e.status,
              state: e.currentState,
              redriveCount: e.redriveCount,
              ...(e.error ? { error: e.error } : {}),
            })),
          }),
        },
      },
      port,
    );
    stops.push(() => new Promise<void>((r) => server.close(() => r()))); // first to stop: no new requests

    // Executions continue where they were: running ones wait again at their gate, failed ones stay failed
    // until the reconciler (in the sweep) redrives them, as in AWS.
    let resumed = await machine.resume();
    if (newStore) {
      // A state directory from before executions were kept: start each active deal at its stage, once.
      const { DynamoDealStore } = await import('../lambdas/adapters/dynamodb/deal-store.adapter');
      const { DynamoDBDocumentClient } = await import('@aws-sdk/lib-dynamodb');
      const store = new DynamoDealStore(DynamoDBDocumentClient.from(ddb), {
        plans: tables.PLANS_TABLE,
        milestones: tables.MILESTONES_TABLE,
        links: tables.LINKS_TABLE,
        idempotency: tables.IDEMPOTENCY_TABLE,
      });
      for (const p of (await store.list()).filter((d) => d.status === 'active')) {
        machine.startExecution({ name: p.planId, input: { planId: p.planId, resumeStage: p.stage } });
        resumed++;
      }
    }
    await machine.whenIdle();
    if (resumed) log(`Resumed ${resumed} active deal(s) at their current stage.`);

    return { url, port, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** `{"advance": "PT72H"}` -> milliseconds, or a message saying what is wrong. */
export function parseAdvance(body: string): number | string {
  let value: unknown;
  try {
    value = JSON.parse(body || '{}');
  } catch {
    return 'the body must be JSON like {"advance": "PT72H"}';
  }
  const advance = (value as { advance?: unknown })?.advance;
  if (typeof advance !== 'string') return 'advance must be an ISO 8601 duration like "PT72H" or "P7D"';
  const m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(advance);
  if (!m || advance === 'P' || advance.endsWith('T'))
    return `"${advance}" is not an ISO 8601 duration like "PT72H"`;
  const [w, d, h, min, s] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number, number];
  const ms = ((((w * 7 + d) * 24 + h) * 60 + min) * 60 + s) * 1000;
  if (ms > 366 * 86_400_000) return 'advance at most a year at a time';
  return ms;
}

/** The earliest pending nudge across the sparse index's shards (one item read per shard). */
async function earliestNudge(
  ddb: ReturnType<typeof localDynamoDbClient>,
  table: string,
): Promise<number | undefined> {
  let earliest: number | undefined;
  for (let i = 0; i < OPEN_SHARD_COUNT; i++) {
    const out = await ddb.send(
      new QueryCommand({
        TableName: table,
        IndexName: OPEN_BY_DUE_INDEX,
        KeyConditionExpression: 'openShard = :s',
        ExpressionAttributeValues: { ':s': { S: `open#${i}` } },
        ProjectionExpression: 'nudgeAt',
        Limit: 1,
      }),
    );
    const at = out.Items?.[0]?.nudgeAt?.S;
    if (at && (earliest === undefined || Date.parse(at) < earliest)) earliest = Date.parse(at);
  }
  return earliest;
}

/**
 * The earliest weekly review after `after` (the last sweep; one item read from the plans table's review
 * index), so that the clock stops for the sweep that sends it. A state directory made before the index existed has none: no reviews.
 */
async function earliestReview(
  ddb: ReturnType<typeof localDynamoDbClient>,
  table: string,
  after: number,
): Promise<number | undefined> {
  const since = Number.isFinite(after) ? new Date(after).toISOString() : '0000';
  try {
    // The review index is sharded (`review#0`..`review#3`): the earliest of each shard's first.
    const firsts = await Promise.all(
      Array.from({ length: REVIEW_SHARD_COUNT }, (_, i) =>
        ddb.send(
          new QueryCommand({
            TableName: table,
            IndexName: ACTIVE_BY_REVIEW_INDEX,
            KeyConditionExpression: 'reviewShard = :s AND nextReviewAt > :after',
            ExpressionAttributeValues: { ':s': { S: `review#${i}` }, ':after': { S: since } },
            Limit: 1,
          }),
        ),
      ),
    );
    const times = firsts.flatMap((out) => {
      const at = out.Items?.[0]?.nextReviewAt?.S;
      return at ? [Date.parse(at)] : [];
    });
    return times.length ? Math.min(...times) : undefined;
  } catch {
    return undefined;
  }
}

function earliestAfter(after: number, ...instants: (number | undefined)[]): number | undefined {
  const known = instants.filter((t): t is number => t !== undefined && t > after);
  return known.length ? Math.min(...known) : undefined;
}

function readJsonText(text: string): unknown {
  try {
    return JSON.parse(text || '{}');
  } catch {
    return undefined;
  }
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}
