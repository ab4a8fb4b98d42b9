/**
 * How each figure of the report is computed, in words: the page shows them under each section and the CSV
 * carries them (`?table=method`). The domain modules (reports.ts, dashboard.ts, forecast.ts,
 * program-return.ts) say the same in their headers.
 */

export const SUMMARY_METHOD = [
  'Open pipeline: active deals only, each at the midpoint of its plan’s ARR range ((min + max) / 2), split by the attribution agreed in the plan.',
  'Won revenue: the final ARR logged when each won deal closed.',
  'Win rate: won / (won + lost); active deals do not count.',
  'Conversion: of the deals that reached a stage (its gate opened), the share that passed its gate; a lost deal’s last stage counts as not passed.',
  'Median days: whole calendar days from a stage opening to its gate passing, passed stages only.',
  'Stalled: active deals whose current stage has been open more than the threshold, or whose gate is past its deadline; whose move it is = parties yet to confirm the gate or owning its open milestones.',
  'Quarterly target: won ARR logged in the target’s calendar quarter (UTC) and currency, sourced and influenced alike, over the target.',
];

export const DASHBOARD_METHOD = [
  'Active deals: every deal still running, one row each; a deal’s name opens its one-pager, “room” its deal room (a view link for its vendor owner), its plan id the plan as JSON.',
  'Days in stage: whole calendar days (UTC) since the current stage opened.',
  'Whose move: the parties yet to confirm the current gate and those owning its open milestones.',
  'Next due: the open milestone of the current stage due first; with none open, the gate’s confirmation, due at the stage deadline. Days overdue: whole calendar days (UTC) from its due date to today.',
  'Close date: the plan’s current close date; moved = days from the close date as loaded (every slip undone) to now, with the number of slips.',
  'Health: Needs attention = a workflow problem (needsAttention) or an email that could not be delivered; Stalled = the next due item 7 or more days overdue, or the stage open longer than the stall threshold; At risk = 1 to 6 days overdue, a slip proposal pending, or a party owning open work silent longer than the ghosting days; On track = none of these.',
  'Order: needs attention, stalled, at risk, on track; then most days overdue; then next due soonest.',
];

export const FORECAST_METHOD = [
  'Expected close quarter: the calendar quarter (YYYY-Qn) of each active deal’s current close date.',
  'Pipeline: active deals in the report’s currency at their ARR midpoint; weighted = midpoint × the weight of the deal’s current stage (tenant setting stageWeights).',
  'Win rate by attribution: won / (won + lost) among the sourced (or influenced) deals.',
  'Conversion by attribution: of the sourced (or influenced) deals that reached a stage, the share that passed its gate.',
  'Losses by stage: lost deals by the stage they were closed in (a close at any stage, or lost at the last gate), with their ARR midpoints; by reason: the close’s outcome and reason (the lesson for a loss at the last gate).',
  'Forecast against target: for each partner target, in its currency: won ARR logged in the quarter, the pipeline expected to close in it (and weighted); coverage = pipeline ÷ target; forecast = won + weighted pipeline, shown as a share of the target.',
];

export const RETURN_METHOD = [
  'Won ARR: final ARR of the deals won in the quarter (outcome logged, UTC).',
  'Fees paid: each won deal’s final ARR × its economic split’s partner fee percent ÷ 100.',
  'Net revenue: won ARR − fees.',
  'Program cost: the tenant setting programCost per quarter (people, MDF and tools); per partner, its partner plan’s programCost; without a tenant setting, the total sums the partner plans’ costs. – when none is set in the report’s currency.',
  'Return: (won ARR − fees − program cost) ÷ program cost.',
  'Pipeline coverage of target: active pipeline expected to close in the quarter ÷ the quarterly targets for it.',
];

/** Every definition with the section it belongs to, for the CSV. */
export function definitions(): { section: string; text: string }[] {
  return [
    ...DASHBOARD_METHOD.map((text) => ({ section: 'dashboard', text })),
    ...SUMMARY_METHOD.map((text) => ({ section: 'summary', text })),
    ...FORECAST_METHOD.map((text) => ({ section: 'forecast', text })),
    ...RETURN_METHOD.map((text) => ({ section: 'return', text })),
  ];
}
