/** Domain errors: each says what went wrong in words a user can act on. */

export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

/** Someone else changed the same deal first; the caller reloads and tries again. */
export class ConcurrentUpdateError extends Error {
  override readonly name = 'ConcurrentUpdateError';
}

/** The action is understood but the deal's state does not allow it (e.g. a gate not yet ready). */
export class ActionRejectedError extends Error {
  override readonly name = 'ActionRejectedError';
}

/** A single-use link's nonce was already claimed. */
export class LinkUsedError extends Error {
  override readonly name = 'LinkUsedError';
}

/** A list cursor this store did not write (or from another query): the caller starts from the first page. */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
}

/**
 * A failure that passes (throttling, a 5xx or a timeout from a service, an email deferred, a lost race, an
 * effect another invocation holds): the state machine retries a task that throws it, by this name
 * (lib/workflow/playbook.definition.ts `TRANSIENT_ERROR`), and an HTTP handler answers 503 with Retry-After.
 */
export class TransientError extends Error {
  override readonly name = 'TransientError';
}

/** Names of the errors that pass, whatever threw them (the AWS SDK's, the adapters', the domain's). */
const TRANSIENT_NAMES = new Set([
  'TransientError',
  'DeliveryDeferredError',
  'EffectInProgressError',
  'ConcurrentUpdateError',
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TransactionConflictException',
  'LimitExceededException',
  'InternalServerError',
  'InternalFailure',
  'InternalException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
]);

/**
 * Whether `error` passes: by name, or as the AWS SDK marks it (retryable, throttling, HTTP 429 or 5xx). A
 * DynamoDB transaction cancelled only by throttling or a conflict passes too.
 */
export function isTransient(error: unknown): boolean {
  const e = error as {
    name?: string;
    code?: string;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number };
    CancellationReasons?: { Code?: string }[];
  } | null;
  if (!e || typeof e !== 'object') return false;
  if (TRANSIENT_NAMES.has(e.name ?? '') || TRANSIENT_NAMES.has(e.code ?? '')) return true;
  if (e.$retryable) return true;
  const status = e.$metadata?.httpStatusCode ?? 0;
  if (status === 429 || status >= 500) return true;
  if (e.name === 'TransactionCanceledException' && e.CancellationReasons?.length) {
    const codes = e.CancellationReasons.map((r) => r.Code ?? 'None').filter((c) => c !== 'None');
    return codes.length > 0 && codes.every((c) => c === 'ThrottlingError' || c === 'TransactionConflict');
  }
  return false;
}

/** `error` as a TransientError when it passes (keeping its message and cause), else as it is. */
export function asTransient(error: unknown): unknown {
  if (error instanceof TransientError || !isTransient(error)) return error;
  const name = (error as Error).name ?? 'Error';
  return new TransientError(`${name}: ${(error as Error).message ?? String(error)}`, { cause: error });
}
