import { createHash, randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { MalformedKeyRingError, newKeyMaterial, parseKeyRing } from '../lambdas/domain/signing-keys';
import { FaultPlan } from './faults';

/**
 * A tiny AWS JSON-protocol endpoint (awsJson1_0 and awsJson1_1) for the calls the handlers make that have no
 * local product: EventBridge PutEvents, Secrets Manager GetSecretValue and PutSecretValue (the link-key
 * ring, so `npm run keys:rotate -- --secret-id <arn>` works against it), and whatever other local pieces
 * register (Step Functions task callbacks). Requests are dispatched on `X-Amz-Target`; signatures are not
 * checked.
 */

/** Handles one operation: receives the parsed JSON request, returns the JSON response. */
export type RouteHandler = (body: unknown) => Promise<unknown>;

/**
 * Throw from a route to answer an AWS error: the SDK raises the modelled exception of that name
 * (e.g. `TaskTimedOut`, `TaskDoesNotExist`, `InvalidToken`, `ResourceNotFoundException`).
 */
export class AwsServiceError extends Error {
  override readonly name = 'AwsServiceError';

  constructor(
    readonly type: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
  }
}

/** One entry put on a bus, as EventBridge would deliver it (`detail` parsed). */
export interface LocalEvent {
  id: string;
  'detail-type': string;
  source: string;
  detail: unknown;
  eventBusName: string;
  /** ISO instant: the entry's `Time`, or the emulator clock when the entry had none. */
  time: string;
}

export interface AwsEmulatorOptions {
  /** Port on 127.0.0.1; a free one when omitted (0). */
  port?: number;
  /** Where `events.jsonl` and `link-keys.json` live. Default `.cosell` under the cwd. */
  stateDir?: string;
  /** ARN served by GetSecretValue (its name, or the ARN without the random suffix, also match). */
  linkKeysSecretArn?: string;
  /** Clock for event times; pass the local runtime's clock so `POST /_local/clock` is honoured. */
  now?: () => Date;
  /** Where injected faults come from (`events.fail`); its own when omitted. */
  faults?: FaultPlan;
  /** Told of the events each PutEvents accepted (the local bus's rules: local/event-rules.ts). */
  onEvents?: (events: readonly LocalEvent[]) => void;
}

export interface AwsEmulator {
  /** `http://127.0.0.1:<port>`: the value for AWS_ENDPOINT_URL_{EVENTBRIDGE,SECRETS_MANAGER,SFN}. */
  readonly url: string;
  readonly port: number;
  /** Registers (or replaces) the handler for an `X-Amz-Target`, e.g. `AWSStepFunctions.SendTaskSuccess`. */
  route(target: string, handler: RouteHandler): void;
  /** Every event put so far (including earlier runs, from events.jsonl), oldest first. */
  listEvents(): LocalEvent[];
  stop(): Promise<void>;
}

export const LOCAL_ACCOUNT_ID = '000000000000';
export const LOCAL_LINK_KEYS_SECRET_NAME = 'cosell-flow/local/link-keys';
/** Secrets Manager ARNs end in `-` and six random characters. */
export const LOCAL_LINK_KEYS_SECRET_ARN = `arn:aws:secretsmanager:us-east-1:${LOCAL_ACCOUNT_ID}:secret:${LOCAL_LINK_KEYS_SECRET_NAME}-LoCaL1`;

const MAX_BODY_BYTES = 1024 * 1024;

export async function startAwsEmulator(options: AwsEmulatorOptions = {}): Promise<AwsEmulator> {
  const stateDir = resolve(options.stateDir ?? '.cosell');
  const now = options.now ?? (() => new Date());
  mkdirSync(stateDir, { recursive: true });

  const routes = new Map<string, RouteHandler>();
  const events = new EventStore(join(stateDir, 'events.jsonl'), options.onEvents);
  const linkKeys = new LinkKeysSecret(join(stateDir, 'link-keys.json'), options.linkKeysSecretArn);
  const faults = options.faults ?? new FaultPlan();
  routes.set('AWSEvents.PutEvents', async (body) =>
    faults.take('events', 'fail') ? failedPutEvents(body) : events.putEvents(body, now),
  );
  routes.set('secretsmanager.GetSecretValue', async (body) => linkKeys.getSecretValue(body));
  routes.set('secretsmanager.PutSecretValue', async (body) => linkKeys.putSecretValue(body));

  const server = createServer((request, response) => {
    void dispatch(routes, request, response);
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    route: (target, handler) => {
      routes.set(target, handler);
    },
    listEvents: () => events.list(),
    stop: () =>
      new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections(); // the SDK keeps connections alive
      }),
  };
}

async function dispatch(
  routes: Map<string, RouteHandler>,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  // Answer in the dialect asked: application/x-amz-json-1.0 (Step Functions) or 1.1 (EventBridge, Secrets Manager).
  const requestType = request.headers['content-type'] ?? '';
  const contentType = requestType.startsWith('application/x-amz-json-')
    ? requestType
    : 'application/x-amz-json-1.1';
  const send = (status: number, payload: unknown, errorType?: string) => {
    const body = JSON.stringify(payload ?? {});
    response.writeHead(status, {
      'Content-Type': contentType,
      'Content-Length': Buffer.byteLength(body),
      'x-amzn-RequestId': randomUUID(),
      ...(errorType ? { 'x-amzn-ErrorType': errorType } : {}),
    });
    response.end(body);
  };
  const fail = (error: AwsServiceError) =>
    send(error.statusCode, { __type: error.type, message: error.message }, error.type);

  try {
    const target = request.headers['x-amz-target'];
    const handler = typeof target === 'string' ? routes.get(target) : undefined;
    const raw = await readBody(request);
    if (request.method !== 'POST' || !handler) {
      throw new AwsServiceError('UnknownOperationException', `No local emulation for ${String(target)}`);
    }
    let body: unknown;
    try {
      body = raw.length === 0 ? {} : JSON.parse(raw.toString('utf8'));
    } catch {
      throw new AwsServiceError('SerializationException', 'Request body is not valid JSON');
    }
    send(200, await handler(body));
  } catch (error) {
    if (error instanceof AwsServiceError) fail(error);
    else
      fail(
        new AwsServiceError('InternalFailure', error instanceof Error ? error.message : String(error), 500),
      );
  }
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES)
        reject(new AwsServiceError('ValidationException', 'Request body too large', 413));
      else chunks.push(chunk);
    });
    request.on('end', () => resolveBody(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

interface PutEventsEntry {
  Source?: unknown;
  DetailType?: unknown;
  Detail?: unknown;
  EventBusName?: unknown;
  Time?: unknown;
}

type PutEventsResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

/** PutEvents as EventBridge answers when it could not take the entries: 200, each entry failed, none kept. */
function failedPutEvents(body: unknown): { FailedEntryCount: number; Entries: PutEventsResultEntry[] } {
  const entries = (body as { Entries?: unknown }).Entries;
  const count = Array.isArray(entries) ? entries.length : 1;
  return {
    FailedEntryCount: count,
    Entries: Array.from({ length: count }, () => ({
      ErrorCode: 'InternalFailure',
      ErrorMessage: 'Internal service error (injected by POST /_local/faults).',
    })),
  };
}

/** Events kept in memory and appended to a JSON-lines file, reloaded on start. */
class EventStore {
  private readonly events: LocalEvent[];

  constructor(
    private readonly file: string,
    private readonly onEvents?: (events: readonly LocalEvent[]) => void,
  ) {
    this.events = readJsonLines(file) as LocalEvent[];
  }

  list(): LocalEvent[] {
    return this.events.map((event) => structuredClone(event));
  }

  putEvents(body: unknown, now: () => Date): { FailedEntryCount: number; Entries: PutEventsResultEntry[] } {
    const entries = (body as { Entries?: unknown }).Entries;
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > 10) {
      throw new AwsServiceError('ValidationException', 'Entries must hold between 1 and 10 entries');
    }
    const accepted: LocalEvent[] = [];
    const results = (entries as PutEventsEntry[]).map((entry): PutEventsResultEntry => {
      const { Source, DetailType, Detail, EventBusName, Time } = entry;
      if (typeof Source !== 'string' || typeof DetailType !== 'string' || typeof Detail !== 'string') {
        return {
          ErrorCode: 'InvalidArgument',
          ErrorMessage: 'Parameters Source, DetailType and Detail are required.',
        };
      }
      let detail: unknown;
      try {
        detail = JSON.parse(Detail);
      } catch {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
      }
      if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
      }
      const event: LocalEvent = {
        id: randomUUID(),
        'detail-type': DetailType,
        source: Source,
        detail,
        eventBusName: typeof EventBusName === 'string' ? EventBusName : 'default',
        // The JSON protocol sends timestamps as epoch seconds.
        time: (typeof Time === 'number' ? new Date(Time * 1000) : now()).toISOString(),
      };
      accepted.push(event);
      return { EventId: event.id };
    });
    if (accepted.length > 0) {
      appendFileSync(this.file, accepted.map((event) => `${JSON.stringify(event)}\n`).join(''));
      this.events.push(...accepted);
      this.onEvents?.(accepted.map((event) => structuredClone(event)));
    }
    return { FailedEntryCount: entries.length - accepted.length, Entries: results };
  }
}

/**
 * The link-signing key ring secret, kept in a local file created on first start as Secrets Manager generates
 * it (`{"current": "k1", "k1": "<64 characters>"}`). Rotation (`npm run keys:rotate`) edits the file or puts
 * a new value through PutSecretValue; either way the next read serves it.
 */
class LinkKeysSecret {
  private readonly arn: string;
  private readonly name: string;

  constructor(
    private readonly file: string,
    arn = LOCAL_LINK_KEYS_SECRET_ARN,
  ) {
    this.arn = arn;
    this.name = arn.split(':secret:')[1]?.replace(/-[A-Za-z0-9]{6}$/, '') ?? arn;
    try {
      const keys = { current: 'k1', k1: newKeyMaterial() };
      writeFileSync(file, `${JSON.stringify(keys, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }

  getSecretValue(body: unknown) {
    this.check(body);
    // Read on every call, so editing the file (adding a key, moving `current`) works like a rotation.
    const secretString = readFileSync(this.file, 'utf8');
    return {
      ARN: this.arn,
      Name: this.name,
      SecretString: secretString,
      VersionId: versionId(secretString),
      VersionStages: ['AWSCURRENT'],
      CreatedDate: Math.floor(statSync(this.file).mtimeMs / 1000),
    };
  }

  /** A new current version. Only a well-formed key ring is accepted: a bad one would break every link. */
  putSecretValue(body: unknown) {
    this.check(body);
    const { SecretString } = body as { SecretString?: unknown };
    if (typeof SecretString !== 'string') {
      throw new AwsServiceError('InvalidParameterException', 'SecretString is required.');
    }
    try {
      parseKeyRing(JSON.parse(SecretString));
    } catch (error) {
      const reason = error instanceof MalformedKeyRingError ? error.message : 'the value is not JSON';
      throw new AwsServiceError('InvalidRequestException', `Not a link-key ring: ${reason}`);
    }
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, SecretString, { mode: 0o600 });
    renameSync(temporary, this.file);
    return {
      ARN: this.arn,
      Name: this.name,
      VersionId: versionId(SecretString),
      VersionStages: ['AWSCURRENT'],
    };
  }

  private check(body: unknown): void {
    const { SecretId } = body as { SecretId?: unknown };
    const partialArn = this.arn.replace(/-[A-Za-z0-9]{6}$/, '');
    if (SecretId !== this.arn && SecretId !== this.name && SecretId !== partialArn) {
      throw new AwsServiceError(
        'ResourceNotFoundException',
        "Secrets Manager can't find the specified secret.",
      );
    }
  }
}

/** A stable UUID-shaped version id for a secret value. */
function versionId(secretString: string): string {
  const digest = createHash('sha256').update(secretString).digest('hex');
  return `${digest.slice(0, 8)}-${digest.slice(8, 12)}-${digest.slice(12, 16)}-${digest.slice(16, 20)}-${digest.slice(20, 32)}`;
}

/** Parses a JSON-lines file; a missing file is empty, and an unparsable line (a torn last write) is skipped. */
function readJsonLines(file: string): unknown[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return text.split('\n').flatMap((line) => {
    if (line.trim() === '') return [];
    try {
      return [JSON.parse(line)];
    } catch {
      return [];
    }
  });
}
