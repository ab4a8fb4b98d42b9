/** Refusals of the plans API that carry field paths (409) or a stale version (412). */

export interface PlanIssue {
  path: string;
  message: string;
}

/** The request conflicts with the deal as it stands: nothing was changed. */
export class PlanConflictError extends Error {
  override readonly name = 'PlanConflictError';
  constructor(
    message: string,
    readonly issues: PlanIssue[] = [],
    /** The deal the request collided with, when there is one (a duplicate, an existing id). */
    readonly planId?: string,
  ) {
    super(message);
  }
}

/** `If-Match` named a version the deal has moved past. */
export class StaleVersionError extends Error {
  override readonly name = 'StaleVersionError';
  constructor(
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`the plan is at version ${actual}, not ${expected}: read it again and reapply your change`);
  }
}
