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
