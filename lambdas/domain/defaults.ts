/**
 * Defaults and limits, in one place. The CDK tenant settings (lib/tenant-config.ts), the functions'
 * environment reader (lambdas/adapters/environment.ts), `cosell tenant init`, the local stack and the domain
 * all read them from here, so a default is changed once.
 */

/** Days an emailed action link stays valid. */
export const LINK_TTL_DAYS = 14;
/** Bounds of the `linkTtlDays` tenant setting. */
export const LINK_TTL_DAYS_RANGE = { min: 1, max: 90 } as const;

/** Days a deal room's view link (`/room/<token>`) stays valid: it reads only, so it lives long. */
export const ROOM_LINK_TTL_DAYS = 90;
/** Bounds of the `roomLinkTtlDays` tenant setting. */
export const ROOM_LINK_TTL_DAYS_RANGE = { min: 1, max: 365 } as const;

/** What emails and pages call the vendor when the tenant names none (`vendorName`). */
export const VENDOR_NAME = 'Cosell Flow';

/** Days without any action on a deal's links, while a party owns open work, before that party counts as ghosting. */
export const GHOSTING_DAYS = 7;
export const GHOSTING_DAYS_RANGE = { min: 1, max: 90 } as const;

/**
 * How long the `announce` function may run (its Lambda timeout). It takes a held announcement only while
 * ANNOUNCE_MARGIN_MS (use-cases/announcements.ts) of its hand-off is left, at least twice this, so it has
 * finished before the sweep may send the same one.
 */
export const ANNOUNCE_TIMEOUT_SECONDS = 30;

/** Minutes between two runs of the reminder sweep. */
export const REMINDER_SWEEP_MINUTES = 15;
export const REMINDER_SWEEP_MINUTES_RANGE = { min: 1, max: 1440 } as const;

/** The tenant's time zone when a person has none. */
export const DEFAULT_TIMEZONE = 'UTC';

/** Local times between which the cadence sends nothing to a person (their own time zone). */
export const QUIET_HOURS = { start: '19:00', end: '08:00' } as const;

/** Cadence emails (reminders, escalations) one person gets per local day, at most. */
export const MAX_EMAILS_PER_DAY = 3;

/** Days of the week people work, as the plan's cadence names them; the sweep sends nothing on other days. */
export const WORKWEEK = ['MON', 'TUE', 'WED', 'THU', 'FRI'] as const;
/** The tenant's holidays (`YYYY-MM-DD`): never working days. None unless the tenant file lists them. */
export const HOLIDAYS: readonly string[] = [];
/** Working days after a gate's deadline before its ladder is told. */
export const ESCALATION_GRACE_BUSINESS_DAYS = 1;
export const ESCALATION_GRACE_BUSINESS_DAYS_RANGE = { min: 0, max: 20 } as const;

/** Days a deal may sit in one stage before the program report calls it stalled. */
export const STALL_DAYS = 14;

/**
 * The weighted forecast's stage weights, percent, stages 1 to 5: the chance a deal at that stage closes won
 * (tenant setting `stageWeights`).
 */
export const STAGE_WEIGHTS: readonly number[] = [10, 20, 40, 60, 80];

/** Seconds a function caches the link key ring; a retired key keeps verifying this much longer. */
export const KEY_RING_CACHE_SECONDS = 300;

/** Largest plan document accepted, by the API and by `cosell plan validate`. */
export const MAX_PLAN_BYTES = 256 * 1024;

/** Requests per second (steady rate and burst) an HTTP API route takes before answering 429. */
export interface RouteThrottle {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/**
 * Per-route limits of the tenant's HTTP API, each route its own bucket: the public link routes (`/a/*`),
 * the public deal-room routes (`/room/*`) and the operator routes (IAM), so a flood of junk tokens on one
 * never turns the others' requests into 429s. Tenant settings `linkRateLimit`, `linkBurstLimit`,
 * `roomRateLimit`, `roomBurstLimit`, `opsRateLimit`, `opsBurstLimit`.
 */
export const ROUTE_THROTTLES = {
  link: { rateLimit: 10, burstLimit: 20 },
  room: { rateLimit: 5, burstLimit: 10 },
  ops: { rateLimit: 25, burstLimit: 50 },
} as const satisfies Record<string, RouteThrottle>;
export const ROUTE_RATE_LIMIT_RANGE = { min: 1, max: 5000 } as const;
export const ROUTE_BURST_LIMIT_RANGE = { min: 1, max: 5000 } as const;

/**
 * The reminder sweep's reconciler logs one line per sweep with this message and the count of active deals
 * needing attention in `needsAttention`; a CloudWatch metric filter turns it into the metric the
 * needs-attention alarm watches (no metrics library in the bundles).
 */
export const RECONCILED_LOG = {
  message: 'deals reconciled',
  countField: 'needsAttention',
  metricNamespace: 'CosellFlow',
  metricName: 'DealsNeedingAttention',
} as const;

/** Active deals the reconciler looks at per sweep at most; the rest are looked at by the next sweeps. */
export const RECONCILE_DEALS_PER_SWEEP = 200;

/** Local stack only: milliseconds between two retries of a task (the definition's backoff is minutes). */
export const LOCAL_TASK_RETRY_MS = 50;
