/**
 * Parts of the local stack's composition root (runtime.ts): the handlers' import, and stopping the parts in
 * order, each within a bound.
 */

/** How long one part of the stack may take to stop before the next is stopped anyway (logged). */
const STOP_STEP_MS = 10_000;

/** The functions, as their Lambda entry points export them (imported together, once the env is set). */
export async function importHandlers() {
  const [plans, reports, link, room, deadline, open, escalate, register, sweep] = await Promise.all([
    import('../lambdas/handlers/plans-api'),
    import('../lambdas/handlers/reports-api'),
    import('../lambdas/handlers/action-link'),
    import('../lambdas/handlers/deal-room'),
    import('../lambdas/handlers/gate-deadline'),
    import('../lambdas/handlers/gate-open'),
    import('../lambdas/handlers/gate-escalate'),
    import('../lambdas/handlers/register-deal'),
    import('../lambdas/handlers/reminder-sweep'),
  ]);
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

export function settlesWithin(promise: Promise<unknown>, ms: number): Promise<'settled' | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => {
    timer = setTimeout(() => r('timeout'), ms);
  });
  return Promise.race([promise.then(() => 'settled' as const), timeout]).finally(() => clearTimeout(timer));
}
