import { appendFileSync } from 'node:fs';
import type { LocalRequest } from './http-server';

/**
 * A stand-in for Slack, Teams and any webhook: records whatever is posted to `/_local/webhooks/<name>`, so a
 * newcomer and the e2e tests see each message as the channel would. `GET /_local/webhooks` lists what
 * arrived, oldest first; `POST /_local/webhook-faults` (`{"name": "deals", "fail": 2}`) makes the next posts
 * to one receiver answer 503, as a channel that is down would.
 */
export interface ReceivedWebhook {
  name: string;
  receivedAt: string;
  headers: Record<string, string>;
  body: unknown;
}

type LocalRoute = (body: string, request?: LocalRequest) => Promise<{ status: number; body: unknown }>;

/** The headers a receiver keeps (the transport's own are noise). */
const KEPT_HEADERS = /^(content-type|x-api-key|x-cosell-flow|user-agent)$/;

export class WebhookReceiver {
  private readonly received: ReceivedWebhook[] = [];
  private readonly failing = new Map<string, number>();
  /** Posts answered 503 on purpose, per receiver. */
  private readonly refused = new Map<string, number>();

  constructor(
    private readonly now: () => Date,
    private readonly file?: string,
  ) {}

  list(): ReceivedWebhook[] {
    return this.received.map((r) => structuredClone(r));
  }

  /** The next `count` posts to `name` answer 503 and are not recorded. */
  failNext(name: string, count: number): void {
    this.failing.set(name, count);
  }

  receive(name: string, headers: Record<string, string>, text: string): { status: number; body: unknown } {
    const left = this.failing.get(name) ?? 0;
    if (left > 0) {
      this.failing.set(name, left - 1);
      this.refused.set(name, (this.refused.get(name) ?? 0) + 1);
      return { status: 503, body: { error: `receiver ${name} is failing on purpose (${left - 1} left)` } };
    }
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON: kept as text.
    }
    const kept = Object.fromEntries(Object.entries(headers).filter(([k]) => KEPT_HEADERS.test(k)));
    const entry = { name, receivedAt: this.now().toISOString(), headers: kept, body };
    this.received.push(entry);
    if (this.file) appendFileSync(this.file, `${JSON.stringify(entry)}\n`);
    return { status: 200, body: { ok: true } };
  }

  routes(): Record<string, LocalRoute> {
    return {
      'POST /_local/webhooks/*': async (body, request) => {
        const name = decodeURIComponent(request?.path.split('/').pop() ?? '');
        if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) return { status: 404, body: { error: 'no such receiver' } };
        return this.receive(name, request?.headers ?? {}, body);
      },
      'GET /_local/webhooks': async () => ({ status: 200, body: this.list() }),
      'GET /_local/webhook-faults': async () => ({
        status: 200,
        body: {
          failing: Object.fromEntries(this.failing),
          refused: Object.fromEntries(this.refused),
        },
      }),
      'POST /_local/webhook-faults': async (body) => {
        const { name, fail } = (safeJson(body) ?? {}) as { name?: unknown; fail?: unknown };
        if (typeof name !== 'string' || !Number.isInteger(fail) || (fail as number) < 0) {
          const message = 'the body must be like {"name": "deals", "fail": 2}';
          return { status: 400, body: { error: message, issues: [{ path: 'fail', message }] } };
        }
        this.failNext(name, fail as number);
        return { status: 200, body: { name, fail } };
      },
    };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text || '{}');
  } catch {
    return undefined;
  }
}
