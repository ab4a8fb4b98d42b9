import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import type { Config } from 'aws-ses-v2-local';
import type { Email } from 'aws-ses-v2-local/dist/store';
import { FaultPlan } from './faults';

/** One email as the local outbox shows it (`GET /_local/outbox`). */
export interface OutboxEmail {
  to: string[];
  /** Copied recipients (every one, over SES v2; our emails copy at most one person). */
  cc: string[];
  subject: string;
  text: string;
  html: string;
  /** Attached parts (the weekly review's calendar invitation, say), without their content. */
  attachments: { filename?: string; contentType: string; size: number }[];
  /** Absolute action URLs in the mail (every http(s) URL whose path starts with `/a/`), in order, once each. */
  links: string[];
  /** ISO instant, by the clock given to startSesLocal. */
  sentAt: string;
}

export interface SesLocalOptions {
  /** Port on 127.0.0.1; a free one when omitted (0). */
  port?: number;
  /**
   * JSON-lines file that keeps the outbox across restarts (e.g. `.cosell/outbox.jsonl`): emails sent in
   * earlier runs are loaded back, so their links can still be found. In memory only when omitted.
   */
  outboxFile?: string;
  /** Clock for `sentAt`; pass the local runtime's clock so `POST /_local/clock` is honoured. */
  now?: () => Date;
  /** Where injected faults come from (`ses.throttle`, `ses.reject`); its own when omitted. */
  faults?: FaultPlan;
}

export interface SesLocal {
  /** `http://127.0.0.1:<port>`, for AWS_ENDPOINT_URL_SESV2; the emulator's mail viewer is at this address too. */
  readonly url: string;
  readonly port: number;
  /**
   * Every email sent, oldest first; from position `from` on when given (a cursor: the count of emails an
   * earlier read saw, see `outboxSize`), so a poller reads only what is new.
   */
  readOutbox(from?: number): Promise<OutboxEmail[]>;
  /** How many emails the outbox holds (the cursor after the newest). */
  outboxSize(): number;
  /** Tests: answer the next `count` sends with SES's throttling error (nothing is stored for them). */
  throttleNextSends(count: number): void;
  /** Tests: refuse the next `count` sends for good, as SES does an unverified recipient (MessageRejected). */
  rejectNextSends(count: number): void;
  /** How many injected throttles have not been used yet. */
  throttlesLeft(): number;
  stop(): Promise<void>;
}

interface PersistedEmail {
  email: Email;
  sentAt: string;
}

/**
 * The emulator's server and its (module-global) store, loaded on first use. Imported by name, so that the
 * bundled runtime (runtime-bundle.ts) carries them too; under each loader (tsx, vitest, the bundle) the
 * server and we share one instance of the store.
 */
async function loadEmulator() {
  const [server, store] = await Promise.all([
    import('aws-ses-v2-local'),
    import('aws-ses-v2-local/dist/store'),
  ]);
  // CommonJS with `exports.default`: Node's interop gives the server as `default`, a bundler's the exports.
  type SesServer = (config?: Partial<Config>) => Promise<Server>;
  const exported = server.default as unknown as SesServer | { default: SesServer };
  const sesServer = typeof exported === 'function' ? exported : exported.default;
  return { sesServer, store };
}
let running = false;

/**
 * Runs aws-ses-v2-local in this process. It accepts SES v2 `SendEmail` (what the mailer sends through
 * @aws-sdk/client-sesv2, attachments included) and v1. Its store is global to the process, so only one instance may run at a time.
 */
export async function startSesLocal(options: SesLocalOptions = {}): Promise<SesLocal> {
  if (running)
    throw new Error('An SES emulator is already running in this process (its store is process-global)');
  running = true;
  try {
    return await start(options);
  } catch (error) {
    running = false;
    throw error;
  }
}

async function start(options: SesLocalOptions): Promise<SesLocal> {
  const now = options.now ?? (() => new Date());
  const { sesServer, store } = await loadEmulator();

  // sentAt by messageId: the emulator keeps whole seconds of real time only.
  const sentAt = new Map<string, string>();
  const outboxFile = options.outboxFile ? resolve(options.outboxFile) : undefined;
  store.clearStore();
  if (outboxFile) {
    mkdirSync(dirname(outboxFile), { recursive: true });
    for (const { email, sentAt: at } of readPersisted(outboxFile)) {
      store.saveEmail(email);
      sentAt.set(email.messageId, at);
    }
  }
  let recorded = store.getStoreReadonly().emails.length;
  /** The outbox as `readOutbox` gives it, by position in the store (which only grows while this runs). */
  const converted: OutboxEmail[] = [];
  const recordNewEmails = () => {
    const emails = store.getStoreReadonly().emails;
    const fresh = emails.slice(recorded);
    recorded = emails.length;
    const stamp = now().toISOString();
    for (const email of fresh) sentAt.set(email.messageId, stamp);
    if (outboxFile && fresh.length > 0) {
      appendFileSync(
        outboxFile,
        fresh.map((email) => `${JSON.stringify({ email, sentAt: stamp })}\n`).join(''),
      );
    }
  };

  const server = await sesServer({ host: '127.0.0.1', port: options.port ?? 0 });
  // Fault injection for tests: the next N sends are answered as SES answers when it throttles or refuses.
  const faults = options.faults ?? new FaultPlan();
  const emulate = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const send = request.method === 'POST' && !request.url?.startsWith('/store');
    if (send && faults.take('ses', 'reject')) {
      request.resume();
      if (request.url?.startsWith('/v2/')) {
        response.writeHead(400, {
          'content-type': 'application/json',
          'x-amzn-errortype': 'MessageRejected',
        });
        response.end(REJECTED_V2);
      } else {
        response.writeHead(400, { 'content-type': 'text/xml' });
        response.end(REJECTED);
      }
      return;
    }
    if (send && faults.take('ses', 'throttle')) {
      request.resume();
      // SES v2 is REST-JSON (`POST /v2/email/outbound-emails`); v1 is the query protocol (XML errors).
      if (request.url?.startsWith('/v2/')) {
        response.writeHead(429, {
          'content-type': 'application/json',
          'x-amzn-errortype': 'TooManyRequestsException',
        });
        response.end(THROTTLED_V2);
      } else {
        response.writeHead(400, { 'content-type': 'text/xml' });
        response.end(THROTTLED);
      }
      return;
    }
    for (const listener of emulate) listener(request, response);
  });
  // Beside express's own listener: once a send has been answered, stamp (and keep) what it stored.
  server.on('request', (_request, response) => response.once('finish', recordNewEmails));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    port,
    throttleNextSends: (count: number) => faults.set('ses', 'throttle', Math.max(0, Math.floor(count))),
    rejectNextSends: (count: number) => faults.set('ses', 'reject', Math.max(0, Math.floor(count))),
    throttlesLeft: () => faults.count('ses', 'throttle'),
    // The emulator's store, read in this process (what its `GET /store` serves), each email converted once.
    readOutbox: async (from = 0) => {
      recordNewEmails();
      const emails = store.getStoreReadonly().emails;
      for (let i = converted.length; i < emails.length; i++) {
        const email = emails[i] as Email;
        converted.push(toOutboxEmail(email, sentAt.get(email.messageId)));
      }
      return converted.slice(Math.max(0, from));
    },
    outboxSize: () => {
      recordNewEmails();
      return store.getStoreReadonly().emails.length;
    },
    stop: () =>
      new Promise<void>((resolveClose) => {
        server.close(() => {
          running = false;
          resolveClose();
        });
        server.closeAllConnections(); // the SDK keeps connections alive
      }),
  };
}

/** What SES (query protocol) answers when the account's sending rate is exceeded. */
const THROTTLED =
  '<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>Sender</Type><Code>Throttling</Code>' +
  '<Message>Maximum sending rate exceeded.</Message></Error><RequestId>local-throttle</RequestId></ErrorResponse>';

/** What SES answers for a message it will not send, e.g. to an unverified recipient in the sandbox. */
const REJECTED =
  '<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>Sender</Type><Code>MessageRejected</Code>' +
  '<Message>Email address is not verified.</Message></Error><RequestId>local-reject</RequestId></ErrorResponse>';
const REJECTED_V2 = JSON.stringify({
  message: 'Email address is not verified. The following identities failed the check in region US-EAST-1.',
});

/** The same for SES v2 (REST-JSON: HTTP 429, the error type in `x-amzn-errortype`). */
const THROTTLED_V2 = JSON.stringify({ message: 'Maximum sending rate exceeded.' });

function toOutboxEmail(email: Email, sentAt: string | undefined): OutboxEmail {
  const text = email.body.text ?? '';
  const html = email.body.html ?? '';
  return {
    to: [...email.destination.to],
    cc: [...(email.destination.cc ?? [])],
    attachments: (email.attachments ?? []).map((a) => ({
      ...(a.filename ? { filename: a.filename } : {}),
      contentType: a.contentType,
      size: a.size,
    })),
    subject: email.subject,
    text,
    html,
    links: extractActionLinks(text, html),
    sentAt: sentAt ?? new Date(email.at * 1000).toISOString(),
  };
}

/** Absolute http(s) URLs whose path starts with `/a/`, from the text body then the HTML, once each. */
export function extractActionLinks(text: string, html: string): string[] {
  const found: string[] = [];
  for (const source of [text, decodeHtmlEntities(html)]) {
    for (const match of source.matchAll(/https?:\/\/[^\s"'<>()[\]{}]+/g)) {
      const candidate = match[0].replace(/[.,;:!?]+$/, ''); // sentence punctuation after a link
      let url: URL;
      try {
        url = new URL(candidate);
      } catch {
        continue;
      }
      if (url.pathname.startsWith('/a/') && !found.includes(candidate)) found.push(candidate);
    }
  }
  return found;
}

function decodeHtmlEntities(html: string): string {
  return html.replace(/&(#x[0-9a-f]+|#\d+|amp|quot|apos|lt|gt);/gi, (entity, code: string) => {
    const lower = code.toLowerCase();
    if (lower.startsWith('#x')) return String.fromCodePoint(Number.parseInt(lower.slice(2), 16));
    if (lower.startsWith('#')) return String.fromCodePoint(Number.parseInt(lower.slice(1), 10));
    const named: Record<string, string> = { amp: '&', quot: '"', apos: "'", lt: '<', gt: '>' };
    return named[lower] ?? entity;
  });
}

function readPersisted(file: string): PersistedEmail[] {
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return content.split('\n').flatMap((line) => {
    if (line.trim() === '') return [];
    try {
      return [JSON.parse(line) as PersistedEmail];
    } catch {
      return []; // a torn last line
    }
  });
}
