import { clockOffsetMs, systemClock } from '../lambdas/adapters/clock.adapter';
import type { AwsEmulator } from './aws-emulator';
import { type FaultPlan, parseFaults } from './faults';
import type { LocalRoutes } from './http-server';
import { filterOutbox, inboxHeaders, parseOutboxSince, renderInbox } from './outbox-inbox';
import type { SesLocal } from './ses-local';
import type { LocalStateMachine } from './step-functions/local-machine';

/**
 * The `/_local/*` routes of the local stack (local only, never deployed): the outbox, the events on the bus,
 * the clock, the sweep, faults, and the state machine's executions. local/runtime.ts wires them.
 */

export interface LocalRouteDeps {
  ses: SesLocal;
  emulator: AwsEmulator;
  machine: LocalStateMachine;
  faults: FaultPlan;
  /** Moves the local clock to the instant (ms), running what falls due on the way (one move at a time). */
  runUntil(target: number): Promise<void>;
  /** One run of the reminder sweep, never while another sweep or a move of the clock runs. */
  sweepOnce(): Promise<void>;
  /** Resolves once no workflow task runs and the bus's rules have taken every event put so far. */
  atRest(): Promise<void>;
}

export function localRoutes(deps: LocalRouteDeps): LocalRoutes['local'] {
  const { ses, emulator, machine, faults, runUntil, sweepOnce, atRest } = deps;
  return {
    // JSON for any client; a browser (Accept: text/html) gets the inbox page. ?to= and ?planId= filter both.
    // ?since=<cursor or ISO instant> (JSON): only what is newer; `x-outbox-cursor` is the cursor to pass next.
    'GET /_local/outbox': async (_body, request) => {
      const cursor = ses.outboxSize();
      const since = parseOutboxSince(request?.query.get('since'), cursor);
      if ('error' in since)
        return {
          status: 400,
          body: { error: since.error, issues: [{ path: 'since', message: since.error }] },
        };
      const filter = {
        ...(request?.query.get('to') ? { to: request.query.get('to') as string } : {}),
        ...(request?.query.get('planId') ? { planId: request.query.get('planId') as string } : {}),
      };
      const wantsHtml = /\btext\/html\b/.test(request?.headers.accept ?? '');
      if (wantsHtml) {
        const all = await ses.readOutbox();
        return {
          status: 200,
          body: filterOutbox(all, filter),
          page: { html: renderInbox(all, filter), headers: inboxHeaders() },
        };
      }
      // Exactly the emails before the cursor (one sent meanwhile comes with the next poll, not twice).
      const from = 'from' in since ? since.from : 0;
      const read = (await ses.readOutbox(from)).slice(0, cursor - from);
      const newer = 'after' in since ? read.filter((e) => e.sentAt > since.after) : read;
      return {
        status: 200,
        body: filterOutbox(newer, filter),
        headers: { 'x-outbox-cursor': String(cursor) },
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
      await atRest();
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
    // Tests: resolves once every execution waits for a callback or has ended, and the bus's rules are done.
    'POST /_local/settle': async () => {
      await atRest();
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
  };
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

function readJsonText(text: string): unknown {
  try {
    return JSON.parse(text || '{}');
  } catch {
    return undefined;
  }
}
