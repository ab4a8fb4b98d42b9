import type * as z from 'zod/mini';

/** One problem found in an input, ready to show to the person who wrote it. */
export interface ValidationIssue {
  /** Where the problem is, e.g. `stages.door-opener.milestones[0].owner`; `(root)` for the whole input. */
  path: string;
  /** Why it is a problem. */
  message: string;
}

/** An input (a plan file, an API body) that cannot be accepted, with every problem found in it. */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  readonly issues: ValidationIssue[];

  constructor(issues: ValidationIssue[], summary = 'invalid input') {
    super(`${summary}: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`);
    this.issues = issues;
  }
}

// Keys that read unambiguously after a dot; anything else is written as ["key"].
const PLAIN_KEY = /^[A-Za-z0-9_$-]+$/;

/** Writes a path as `a.b[0].c`: dots for keys, [n] for array indexes, `(root)` when empty. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else if (typeof key === 'string' && PLAIN_KEY.test(key)) text += text === '' ? key : `.${key}`;
    else text += `[${JSON.stringify(String(key))}]`;
  }
  return text === '' ? '(root)' : text;
}

/** The issues of a failed zod parse, as path and message pairs. */
export function formatIssues(error: { readonly issues: readonly z.core.$ZodIssue[] }): ValidationIssue[] {
  return error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
}
