import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import {
  channelEventOf,
  channelMessage,
  channelPattern,
  type EventPatternJson,
  type TransformerInput,
} from '../lib/channel-messages';
import { type ChannelSetting, channelDetailTypes } from '../lib/integration-settings';
import { LOCAL_ACCOUNT_ID, type LocalEvent } from './aws-emulator';

/**
 * The local event bus's rules: what the deployed rules do, in-process. Each event put on the bus is matched
 * against every rule's pattern (the same JSON patterns the stack deploys) and handed to its target: a
 * channel's URL gets the body its input transformer renders (lib/channel-messages.ts, the very templates the
 * stack deploys), the announce and ace-sync handlers get the whole event. A target that fails is retried
 * (five times over about 8 s of real time: the local clock does not move by itself) and then lands in the
 * dead-letter list. Each delivery done is journaled, so a restart delivers what a crash left undelivered.
 */

/** The event as EventBridge hands it to a target. */
export interface BusEnvelope {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

export interface LocalRule {
  name: string;
  pattern: EventPatternJson;
  target: (event: BusEnvelope) => Promise<void>;
}

export interface DeadLetter {
  rule: string;
  eventId: string;
  detailType: string;
  error: string;
  attempts: number;
  at: string;
}

export interface LocalEventRulesOptions {
  /**
   * Attempts after the first. In AWS a function the bus invokes is retried twice more, a minute or two
   * apart, and EventBridge retries an invoke itself for up to 24 h; locally five more, 0.25 s doubling to
   * 4 s (about 8 s in all, real time: the local clock does not move by itself), enough to outlast a burst of
   * throttling as a minute does in AWS.
   */
  retries?: number;
  retryDelayMs?: number;
  now?: () => Date;
  deadLetterFile?: string;
  /**
   * Where each (event, rule) a target took, or that was dead-lettered, is recorded (JSON lines), so that a
   * restart delivers what a crash left undelivered (`redeliver`), as EventBridge keeps retrying a target.
   */
  deliveriesFile?: string;
  log?: (line: string) => void;
}

export class LocalEventRules {
  private readonly rules: LocalRule[] = [];
  private readonly dead: DeadLetter[] = [];
  /** One delivery chain per deal (by `detail.planId`; events of no deal share one). */
  private readonly chains = new Map<string, Promise<void>>();
  /** `<eventId> <rule>` of every delivery done (taken or dead-lettered). */
  private readonly done = new Set<string>();
  /** Deliveries queued and not yet done: never queued twice. */
  private readonly queued = new Set<string>();
  /**
   * No journal yet (a state directory from before it): until `redeliver` writes it whole, what is done is
   * kept in memory, so that a crash before then still counts the stored events as delivered next time.
   */
  private journalPending: boolean;

  constructor(private readonly options: LocalEventRulesOptions = {}) {
    const file = options.deliveriesFile;
    this.journalPending = file !== undefined && !existsSync(file);
    if (!file || this.journalPending) return;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        const { eventId, rule } = JSON.parse(line) as { eventId: string; rule: string };
        this.done.add(deliveryKey(eventId, rule));
      } catch {
        // A line cut short by a crash: that delivery is made again (at least once, as EventBridge).
      }
    }
  }

  add(...rules: LocalRule[]): void {
    this.rules.push(...rules);
  }

  /**
   * Delivers each deal's events in the order put, one at a time (as one consumer sees one deal's events),
   * and different deals' at the same time, as EventBridge invokes targets concurrently: under load one
   * deal's deliveries never wait behind another's.
   */
  publish(events: readonly LocalEvent[]): void {
    for (const event of events) {
      const envelope = envelopeOf(event);
      const due = this.rules.filter((r) => matches(r.pattern, envelope) && this.owed(event.id, r.name));
      if (due.length === 0) continue;
      for (const r of due) this.queued.add(deliveryKey(event.id, r.name));
      const planId = (event.detail as { planId?: unknown }).planId;
      const chain = typeof planId === 'string' ? planId : '';
      const next = (this.chains.get(chain) ?? Promise.resolve()).then(() =>
        Promise.all(due.map((r) => this.deliver(r, envelope))).then(() => {}),
      );
      this.chains.set(chain, next);
      // A chain that has run dry is dropped, so deals that ended keep nothing in memory.
      void next.then(() => {
        if (this.chains.get(chain) === next) this.chains.delete(chain);
      });
    }
  }

  /**
   * After a restart, with every rule added: delivers each stored event to the rules that had not taken it
   * when the process stopped (a crash between PutEvents and the target). Returns how many events that was.
   * The first start with the journal counts the events already stored as delivered.
   */
  redeliver(stored: readonly LocalEvent[]): number {
    const pending = stored.filter((event) => {
      const envelope = envelopeOf(event);
      return this.rules.some((r) => matches(r.pattern, envelope) && this.owed(event.id, r.name));
    });
    if (this.journalPending) {
      for (const event of pending) for (const r of this.rules) this.done.add(deliveryKey(event.id, r.name));
      this.writeJournal();
      return 0;
    }
    this.publish(pending);
    return pending.length;
  }

  /** Neither done nor queued. */
  private owed(eventId: string, rule: string): boolean {
    const key = deliveryKey(eventId, rule);
    return !this.done.has(key) && !this.queued.has(key);
  }

  /** The journal written whole, at once (a temporary file renamed over it). */
  private writeJournal(): void {
    const file = this.options.deliveriesFile as string;
    const lines = [...this.done].map((key) => {
      const [eventId, rule] = [key.slice(0, key.indexOf(' ')), key.slice(key.indexOf(' ') + 1)];
      return `${JSON.stringify({ eventId, rule })}\n`;
    });
    writeFileSync(`${file}.tmp`, lines.join(''));
    renameSync(`${file}.tmp`, file);
    this.journalPending = false;
  }

  /** Resolves when every event put so far has been delivered or dead-lettered. */
  async whenIdle(): Promise<void> {
    while (this.chains.size > 0) await Promise.all(this.chains.values());
  }

  deadLetters(): DeadLetter[] {
    return this.dead.map((d) => ({ ...d }));
  }

  private record(rule: string, eventId: string): void {
    const key = deliveryKey(eventId, rule);
    this.queued.delete(key);
    if (this.done.has(key)) return;
    this.done.add(key);
    if (this.options.deliveriesFile && !this.journalPending)
      appendFileSync(this.options.deliveriesFile, `${JSON.stringify({ eventId, rule })}\n`);
  }

  private async deliver(rule: LocalRule, event: BusEnvelope): Promise<void> {
    const retries = this.options.retries ?? 5;
    let error: unknown;
    for (let attempt = 0; attempt <= retries; attempt++) {
      try {
        await rule.target(event);
        this.record(rule.name, event.id);
        return;
      } catch (e) {
        error = e;
        if (attempt < retries) await sleep((this.options.retryDelayMs ?? 250) * 2 ** attempt);
      }
    }
    const letter: DeadLetter = {
      rule: rule.name,
      eventId: event.id,
      detailType: event['detail-type'],
      error: (error as Error)?.message ?? String(error),
      attempts: retries + 1,
      at: (this.options.now?.() ?? new Date()).toISOString(),
    };
    this.dead.push(letter);
    if (this.options.deadLetterFile)
      appendFileSync(this.options.deadLetterFile, `${JSON.stringify(letter)}\n`);
    this.record(rule.name, event.id);
    this.options.log?.(`event ${event['detail-type']} not delivered to ${rule.name}: ${letter.error}`);
  }
}

const deliveryKey = (eventId: string, rule: string) => `${eventId} ${rule}`;

export function envelopeOf(event: LocalEvent): BusEnvelope {
  return {
    version: '0',
    id: event.id,
    'detail-type': event['detail-type'],
    source: event.source,
    account: LOCAL_ACCOUNT_ID,
    time: event.time,
    region: 'us-east-1',
    resources: [],
    detail: event.detail as Record<string, unknown>,
  };
}

/** EventBridge pattern matching, as far as the deployed patterns use it: value lists and equals-ignore-case. */
export function matches(pattern: unknown, value: unknown): boolean {
  if (Array.isArray(pattern)) {
    return pattern.some((p) => {
      if (p && typeof p === 'object' && 'equals-ignore-case' in p) {
        const want = String((p as Record<string, unknown>)['equals-ignore-case']).toLowerCase();
        return typeof value === 'string' && value.toLowerCase() === want;
      }
      return Array.isArray(value) ? value.includes(p) : value === p;
    });
  }
  if (pattern && typeof pattern === 'object') {
    if (!value || typeof value !== 'object') return false;
    return Object.entries(pattern).every(([k, p]) => matches(p, (value as Record<string, unknown>)[k]));
  }
  return false;
}

/** Renders an input transformer as EventBridge does: a string inside quotes is inserted escaped, the rest as JSON. */
export function renderTransformer(input: TransformerInput, event: BusEnvelope): string {
  const values = Object.fromEntries(
    Object.entries(input.inputPathsMap).map(([name, path]) => [name, readPath(event, path)]),
  );
  let inString = false;
  let out = '';
  const template = input.inputTemplate;
  for (let i = 0; i < template.length; i++) {
    const c = template[i] as string;
    if (c === '"' && template[i - 1] !== '\\') inString = !inString;
    const m = c === '<' ? /^<([A-Za-z0-9_.-]+)>/.exec(template.slice(i)) : null;
    if (m && (m[1] as string) in values) {
      const value = values[m[1] as string];
      if (inString) {
        const text =
          value === undefined || value === null
            ? ''
            : typeof value === 'string'
              ? value
              : JSON.stringify(value);
        out += JSON.stringify(text).slice(1, -1);
      } else {
        out += value === undefined ? 'null' : JSON.stringify(value);
      }
      i += m[0].length - 1;
      continue;
    }
    out += c;
  }
  return out;
}

function readPath(event: unknown, path: string): unknown {
  let at: unknown = event;
  for (const key of path
    .replace(/^\$\.?/, '')
    .split('.')
    .filter(Boolean)) {
    if (!at || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/** One rule per moment per channel, posting the rendered message to the channel's inline local URL. */
export function channelRules(
  channels: readonly ChannelSetting[],
  post: (url: string, headers: Record<string, string>, body: string) => Promise<void>,
): LocalRule[] {
  return channels.flatMap((channel) => {
    const url = channel.url;
    if (!url) return [];
    const shared = channel.partner !== undefined;
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      ...(channel.kind === 'webhook' ? { 'x-api-key': 'local' } : { 'x-cosell-flow': 'local' }),
    };
    return channelDetailTypes(channel).map((detailType) => {
      const moment = channelEventOf(detailType);
      if (!moment) throw new Error(`no channel moment for ${detailType}`);
      const input = channelMessage(channel.kind, moment, shared);
      return {
        name: `channel ${channel.name} (${moment})`,
        pattern: channelPattern(channel, detailType),
        target: (event: BusEnvelope) => post(url, headers, renderTransformer(input, event)),
      };
    });
  });
}

/** POSTs with fetch; anything but a 2xx is a failure (retried). */
export async function postJson(url: string, headers: Record<string, string>, body: string): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers, body });
  if (!response.ok) throw new Error(`POST ${url}: ${response.status}`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
