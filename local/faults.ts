/**
 * Faults the local stack injects into the next calls of a service, as AWS raises them (`POST /_local/faults`,
 * `GET /_local/faults`): each count is used up one call at a time, by the emulator of that service.
 *
 * - `ses.throttle`: SES answers a send with its throttling error (v2: HTTP 429 TooManyRequestsException);
 * - `ses.reject`: SES refuses a send for good (HTTP 400 MessageRejected, as for an unverified recipient);
 * - `events.fail`: PutEvents answers 200 with the entry failed (`FailedEntryCount: 1`, `InternalFailure`);
 * - `sfn.failCallbacks`: SendTaskSuccess / SendTaskFailure answer HTTP 500 ServiceUnavailable, unapplied;
 * - `dynamodb.throttle`: a DynamoDB call answers HTTP 400 ProvisionedThroughputExceededException.
 *
 * The AWS SDK retries throttling and 5xx errors itself (three attempts for most clients, five for SES
 * here), so one fault is one failed HTTP call, which the SDK may absorb, as it would in AWS.
 */

export const FAULT_KINDS = {
  ses: ['throttle', 'reject'],
  events: ['fail'],
  sfn: ['failCallbacks'],
  dynamodb: ['throttle'],
} as const;

export type FaultService = keyof typeof FAULT_KINDS;
export type FaultKind<S extends FaultService> = (typeof FAULT_KINDS)[S][number];
export type FaultCounts = { [S in FaultService]: { [K in FaultKind<S>]: number } };

/** Every count, and how many faults of each kind were injected so far (for the chaos figures). */
export interface FaultReport {
  left: FaultCounts;
  injected: FaultCounts;
}

const zero = (): FaultCounts => ({
  ses: { throttle: 0, reject: 0 },
  events: { fail: 0 },
  sfn: { failCallbacks: 0 },
  dynamodb: { throttle: 0 },
});

export class FaultPlan {
  private left = zero();
  private injected = zero();

  /** Adds to what is left, e.g. `add({ses: {throttle: 3}})`; a count of 0 clears that kind. */
  add(faults: Partial<{ [S in FaultService]: Partial<Record<FaultKind<S>, number>> }>): void {
    for (const [service, kinds] of Object.entries(faults) as [FaultService, Record<string, number>][]) {
      for (const [kind, count] of Object.entries(kinds ?? {})) {
        const counts = this.left[service] as Record<string, number>;
        counts[kind] = count === 0 ? 0 : (counts[kind] ?? 0) + count;
      }
    }
  }

  /** Sets one count (the `/_local/ses/faults` route replaces, it does not add). */
  set<S extends FaultService>(service: S, kind: FaultKind<S>, count: number): void {
    (this.left[service] as Record<string, number>)[kind] = count;
  }

  /** Uses up one fault of `kind` if one is left: true when this call is to fail. */
  take<S extends FaultService>(service: S, kind: FaultKind<S>): boolean {
    const left = this.left[service] as Record<string, number>;
    if ((left[kind] ?? 0) <= 0) return false;
    left[kind] = (left[kind] ?? 0) - 1;
    (this.injected[service] as Record<string, number>)[kind] =
      ((this.injected[service] as Record<string, number>)[kind] ?? 0) + 1;
    return true;
  }

  count<S extends FaultService>(service: S, kind: FaultKind<S>): number {
    return (this.left[service] as Record<string, number>)[kind] ?? 0;
  }

  report(): FaultReport {
    return { left: structuredClone(this.left), injected: structuredClone(this.injected) };
  }
}

/**
 * `{"ses": {"throttle": 3}, "dynamodb": {"throttle": 2}}` checked: the known services and kinds only, each a
 * whole number from 0 to 1000. Returns the faults, or the problems as `{path, message}`.
 */
export function parseFaults(
  body: unknown,
):
  | { faults: Partial<{ [S in FaultService]: Partial<Record<FaultKind<S>, number>> }> }
  | { issues: { path: string; message: string }[] } {
  const issues: { path: string; message: string }[] = [];
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { issues: [{ path: '(body)', message: 'must be a JSON object like {"ses": {"throttle": 3}}' }] };
  }
  const faults: Record<string, Record<string, number>> = {};
  for (const [service, kinds] of Object.entries(body)) {
    const known = FAULT_KINDS[service as FaultService] as readonly string[] | undefined;
    if (!known) {
      issues.push({
        path: service,
        message: `unknown service; known: ${Object.keys(FAULT_KINDS).join(', ')}`,
      });
      continue;
    }
    if (kinds === null || typeof kinds !== 'object' || Array.isArray(kinds)) {
      issues.push({ path: service, message: `must be an object like {"${known[0]}": 1}` });
      continue;
    }
    for (const [kind, count] of Object.entries(kinds)) {
      if (!known.includes(kind)) {
        issues.push({ path: `${service}.${kind}`, message: `unknown fault; known: ${known.join(', ')}` });
      } else if (!Number.isInteger(count) || (count as number) < 0 || (count as number) > 1000) {
        issues.push({ path: `${service}.${kind}`, message: 'must be a whole number from 0 to 1000' });
      } else {
        faults[service] = { ...faults[service], [kind]: count as number };
      }
    }
  }
  return issues.length > 0 ? { issues } : { faults };
}
