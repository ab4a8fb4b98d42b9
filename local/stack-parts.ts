/**
 * Parts of the local stack's composition root (runtime.ts): the handlers' import, stopping the parts in
 * order, each within a bound, and running clock moves one at a time.
 */

/** How long one part of the stack may take to stop before the next is stopped anyway (logged). */
const STOP_STEP_MS = 10_000;

/** The functions, as their Lambda entry points export them (imported together, once the env is set). */
export async function importHandlers() {
  const [plans, reports, link, room, deadline, open, escalate, register, sweep, announce] = await Promise.all(
    [
      import('../lambdas/handlers/plans-api'),
      import('../lambdas/handlers/reports-api'),
      import('../lambdas/handlers/action-link'),
      import('../lambdas/handlers/deal-room'),
      import('../lambdas/handlers/gate-deadline'),
      import('../lambdas/handlers/gate-open'),
      import('../lambdas/handlers/gate-escalate'),
      import('../lambdas/handlers/register-deal'),
      import('../lambdas/handlers/reminder-sweep'),
      import('../lambdas/handlers/announce'),
    ],
  );
  return {
    'plans-api': plans.handler,
    'reports-api': reports.handler,
    'action-link': link.handler,
    'deal-room': room.handler,
    'gate-deadline': deadline.handler,
    'gate-open': open.handler,
    'gate-escalate': escalate.handler,
    'register-deal': register.handler,
    'reminder-sweep': sweep.handler,
    announce: announce.handler,
  };
}

export interface Stoppable {
  name: string;
  stop(): Promise<unknown>;
}

/**
 * Stops the parts last-in first-out, each within STOP_STEP_MS: one that hangs is logged and the others are
 * stopped all the same (DynamoDB Local's stop ends in SIGKILL, and its exit hook kills it with this process).
 */
export async function stopInOrder(stops: Stoppable[], log: (line: string) => void): Promise<void> {
  for (const part of [...stops].reverse()) {
    const outcome = await settlesWithin(
      part.stop().catch(() => undefined),
      STOP_STEP_MS,
    );
    if (outcome === 'timeout')
      log(`Stopping: ${part.name} did not stop within ${STOP_STEP_MS / 1000} s; stopping the rest.`);
  }
}

/**
 * The parts started so far, stopped last-in first-out (stopInOrder) by `stop()`. A part added once stopping
 * began (one that was still starting) is stopped as it is added, after the others: nothing is left running.
 */
export class StopList {
  private readonly parts: Stoppable[] = [];
  private stopped: Promise<void> | undefined;

  constructor(private readonly log: (line: string) => void) {}

  /** True from the first `stop()` on: start-up goes no further, clock moves end. */
  get stopping(): boolean {
    return this.stopped !== undefined;
  }

  add(part: Stoppable): void {
    this.parts.push(part);
    if (this.stopping) void this.stop();
  }

  /** Stops every part added so far; resolves once they and any stopped before are stopped. */
  stop(): Promise<void> {
    const previous = this.stopped ?? Promise.resolve();
    this.stopped = previous.then(() => stopInOrder(this.parts.splice(0), this.log));
    return this.stopped;
  }

  /** Throws once stopping began (start-up calls it after each await, and its catch stops the rest). */
  assertRunning(): void {
    if (this.stopping) throw new Error('the local stack was stopped while it started');
  }
}

/** Runs jobs one at a time, in the order asked (a promise chain): one clock move or sweep at a time. */
export class OneAtATime {
  private last: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.last.then(job);
    this.last = result.catch(() => undefined);
    return result;
  }

  /** Resolves once the jobs asked so far have ended. */
  idle(): Promise<void> {
    return this.last.then(() => undefined);
  }
}

export function settlesWithin(promise: Promise<unknown>, ms: number): Promise<'settled' | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => {
    timer = setTimeout(() => r('timeout'), ms);
  });
  return Promise.race([promise.then(() => 'settled' as const), timeout]).finally(() => clearTimeout(timer));
}
