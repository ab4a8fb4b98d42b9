import './polyfills';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { advanceClock, clockOffsetMs, setClockOffset, systemClock } from '../lambdas/adapters/clock.adapter';
import { LOCAL_TASK_RETRY_MS } from '../lambdas/domain/defaults';
import {
  ACTIVE_BY_REVIEW_INDEX,
  NEWS_SHARD_COUNT,
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
import {
  ensureTables,
  localDynamoDbClient,
  type StartingDynamoDb,
  startStateDynamoDb,
} from './dynamodb-local';
import { startDynamoDbProxy } from './dynamodb-proxy';
import { FaultPlan } from './faults';
import { assertPortFree } from './free-port';
import { closeHttpServer, startHttpServer } from './http-server';
import { localIntegrations } from './integrations';
import { localRoutes } from './local-routes';
import { startSesLocal } from './ses-local';
import { importHandlers, OneAtATime, StopList, settlesWithin } from './stack-parts';
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
  /** DynamoDB Local already starting on `<stateDir>/dynamodb` (`npm start` starts it first); else started here. */
  dynamodb?: StartingDynamoDb;
  /** Told as each part of the start is done (`npm run bench:start` prints them, `COSELL_START_TRACE=1`). */
  trace?: (phase: string) => void;
  /** Aborted: the stack stops, also while it starts (then `startLocalStack` rejects once all is stopped). */
  signal?: AbortSignal;
}

export interface LocalStack {
  url: string;
  port: number;
  stop(): Promise<void>;
}

interface ClockState {
  offsetMs: number;
}

/** How long the state machine may wait for a running task when stopping. */
const MACHINE_STOP_MS = 5_000;
/** How long a move of the clock (or a manual sweep) in flight may take to end when stopping. */
const CLOCK_STOP_MS = 5_000;

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const port = options.port ?? 3000;
  const stateDir = resolve(options.stateDir ?? '.cosell');
  const log = options.log ?? ((line: string) => console.log(line));
  const trace = options.trace ?? (() => undefined);
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

  // Stopped last-in first-out, each within a bound (stopInOrder); one still starting when stopping began is
  // stopped as it is added, and start-up checks `assertRunning` after each await (its catch stops the rest).
  const stops = new StopList(log);
  const running = () => stops.assertRunning();
  const started = <T extends { stop(): Promise<unknown> }>(name: string, service: Promise<T>) =>
    service.then((s) => {
      stops.add({ name, stop: () => s.stop() });
      return s;
    });
  const faults = new FaultPlan();
  const stop = () => stops.stop();
  options.signal?.addEventListener('abort', () => void stop(), { once: true });
  if (options.signal?.aborted) void stop();
  try {
    // DynamoDB Local is a JVM, the slowest part to start: it starts first, and all that does not need it
    // (the emulators, the handlers' imports, the ASL) is done while it boots.
    const { port: dynamodbPort, starting: dynamodbStarting } =
      options.dynamodb ?? (await startStateDynamoDb(stateDir, log));
    stops.add({ name: 'DynamoDB Local', stop: async () => (await dynamodbStarting).stop() });
    running();
    if (!options.dynamodb) trace('DynamoDB Local spawned');
    // Channels and ACE (local/integrations.ts): the local bus's rules, webhook receiver, Partner Central.
    const integrations = localIntegrations({
      settings: tenant.settings,
      baseUrl: url,
      stateDir,
      now: () => systemClock.now(),
      log,
    });
    const [dynamodbProxy, ses, emulator] = await Promise.all([
      // The functions reach DynamoDB Local through a pass-through that can throttle (POST /_local/faults).
      started('the DynamoDB pass-through', startDynamoDbProxy(`http://127.0.0.1:${dynamodbPort}`, faults)),
      started(
        'the SES emulator',
        startSesLocal({ outboxFile: join(stateDir, 'outbox.jsonl'), now: () => systemClock.now(), faults }),
      ),
      started(
        'the AWS emulator',
        startAwsEmulator({
          stateDir,
          linkKeysSecretArn: LOCAL_LINK_KEYS_SECRET_ARN,
          now: () => systemClock.now(),
          faults,
          onEvents: integrations.publish,
        }),
      ),
    ]);
    running();
    trace('emulators listening');

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
    const handlers = await importHandlers();
    running();
    await integrations.attach(emulator, handlers.announce);
    running();
    trace('handlers imported');
    const definition = localPlaybookAsl();
    trace('ASL built');

    const ddb = localDynamoDbClient(`http://127.0.0.1:${dynamodbPort}`);
    // Executions are kept in DynamoDB Local (straight, not through the throttling pass-through).
    const executionStore = new DynamoExecutionStore(ddb, 'cosell-flow-local-sfn-executions');
    const machine = new LocalStateMachine({
      definition,
      handlers: handlers as Record<string, (event: unknown) => Promise<unknown>>,
      stateMachineName: 'cosell-flow-local-playbook',
      clock: systemClock,
      store: executionStore,
      // An unchanged definition is validated once, not at every start.
      validationCacheDir: resolve(import.meta.dirname, '../node_modules/.cache/cosell-flow'),
      // The local clock does not move while a task waits to be retried: retry soon, not minutes later.
      retryIntervalOverrides: Object.fromEntries(
        Object.keys(TASK_STATE_HANDLERS).map((state) => [state, LOCAL_TASK_RETRY_MS]),
      ),
    });
    // Stops run last-in first-out: workflows before the services they call.
    stops.add({
      name: 'the state machine',
      stop: async () => {
        if ((await settlesWithin(machine.stop(), MACHINE_STOP_MS)) === 'timeout')
          log(
            `Stopping: a workflow task still ran after ${MACHINE_STOP_MS / 1000} s; it resumes on restart.`,
          );
      },
    });
    for (const [target, fn] of Object.entries(stepFunctionsRoutes(machine, { faults })))
      emulator.route(target, fn);
    trace('state machine built');

    await dynamodbStarting;
    running();
    trace('DynamoDB Local ready');
    const [, newStore] = await Promise.all([
      ensureTables(ddb, TABLE_DEFINITIONS, (key) => tableName(LOCAL_TENANT, key)),
      executionStore.ensureTable(),
    ]);
    running();
    trace('tables');

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
    // At rest: no workflow task running, and every event put on the bus taken by its rules' targets (the
    // announcements a gate's pass publishes are sent before the clock moves on).
    const atRest = async () => {
      await machine.whenIdle();
      await integrations.whenIdle();
    };
    const runUntil = async (target: number) => {
      // Each sweep ends with the reconciler: the first tick of every move of the clock sweeps, nudge or not.
      let reconcileAt = Math.ceil((systemClock.now().getTime() + 1) / sweepMs) * sweepMs;
      for (let lookedAgain = 0; ; ) {
        // Once stopping began, the machine and DynamoDB Local are going away: no more sweeps, runs or saves.
        if (stops.stopping) return;
        const started = machine.tasksStarted();
        const looked = systemClock.now().getTime();
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
            : Math.ceil(Math.max(nudge, looked) / sweepMs) * sweepMs,
        );
        // A deadline may pass on real time while the lookups run, and its task start: let that work finish and
        // look again, so the clock never jumps while a task is between its decision and its effects (a gate
        // that judged 18:59 fine to mail must not send at 01:00). The check and the jump below are synchronous.
        await atRest();
        if (machine.tasksStarted() !== started && ++lookedAgain < 20) continue;
        lookedAgain = 0;
        if (stops.stopping) return;
        const now = systemClock.now().getTime();
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
        if (stops.stopping) return;
        await machine.runDue();
        await atRest();
        if (stops.stopping) return;
        saveClock();
        if (at >= target) return;
      }
    };
    // Moves of the clock and manual sweeps run one at a time (they share `sweptAt`), as the deployed schedule
    // runs one sweep at a time; stopping waits for the one in flight before the state machine stops.
    const clockMoves = new OneAtATime();
    const moveClock = (target: number) => clockMoves.run(() => runUntil(target));
    const sweepNow = () => clockMoves.run(async () => (stops.stopping ? undefined : sweepOnce()));
    stops.add({
      name: 'the clock',
      stop: async () => {
        if ((await settlesWithin(clockMoves.idle(), CLOCK_STOP_MS)) === 'timeout')
          log(`Stopping: a move of the clock still ran after ${CLOCK_STOP_MS / 1000} s.`);
      },
    });

    // Executions continue where they were: running ones wait again at their gate, failed ones stay failed
    // until the reconciler (in the sweep) redrives them, as in AWS. Before the server answers, so that a
    // callback or a move of the clock at once finds them. A store just created has none.
    let resumed = newStore ? 0 : await machine.resume();
    running();
    trace('executions resumed');

    const server: Server = await startHttpServer(
      {
        plansApi: handlers['plans-api'],
        reportsApi: handlers['reports-api'],
        actionLink: handlers['action-link'],
        dealRoom: handlers['deal-room'],
        local: {
          ...integrations.routes(),
          ...localRoutes({
            ses,
            emulator,
            machine,
            faults,
            runUntil: moveClock,
            sweepOnce: sweepNow,
            atRest,
          }),
        },
      },
      port,
    );
    // First to stop: no new requests (bounded: a client polling on a keep-alive connection would hold it).
    stops.add({
      name: 'the HTTP server',
      stop: async () => {
        const forced = await closeHttpServer(server);
        if (forced) log(`Stopping: closed ${forced} HTTP connection(s) still open after 2 s.`);
      },
    });
    running();
    trace('HTTP server listening');

    if (newStore) {
      // A state directory from before executions were kept: start each active deal at its stage, once.
      const { DynamoListedDealStore } = await import(
        '../lambdas/adapters/dynamodb/listed-deal-store.adapter'
      );
      const { DynamoDBDocumentClient } = await import('@aws-sdk/lib-dynamodb');
      const store = new DynamoListedDealStore(DynamoDBDocumentClient.from(ddb), {
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
    running();
    if (resumed) log(`Resumed ${resumed} active deal(s) at their current stage.`);
    // Events a crash left undelivered to their rules' targets (announce, channels, ACE) go now, as
    // EventBridge keeps retrying a target whatever happens to its consumer.
    const redelivered = integrations.redeliver(emulator.listEvents());
    if (redelivered) log(`Delivering ${redelivered} event(s) a stop left undelivered.`);
    trace('resumed');

    return { url, port, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export { parseAdvance } from './local-routes';

/**
 * The earliest pending nudge across the sparse index's shards (one item read per shard): open milestones'
 * (`open#<n>`) and announcements held for a later send (`news#<n>`, see announcement-schedule.adapter.ts).
 */
async function earliestNudge(
  ddb: ReturnType<typeof localDynamoDbClient>,
  table: string,
): Promise<number | undefined> {
  let earliest: number | undefined;
  const shards = [
    ...Array.from({ length: OPEN_SHARD_COUNT }, (_, i) => `open#${i}`),
    ...Array.from({ length: NEWS_SHARD_COUNT }, (_, i) => `news#${i}`),
  ];
  for (const shard of shards) {
    const out = await ddb.send(
      new QueryCommand({
        TableName: table,
        IndexName: OPEN_BY_DUE_INDEX,
        KeyConditionExpression: 'openShard = :s',
        ExpressionAttributeValues: { ':s': { S: shard } },
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

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}
