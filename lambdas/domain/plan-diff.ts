import type { Milestone, Plan } from '../schemas/plan.schema';
import type { Deal, MilestoneState } from './deal';
import { STAGE_KEYS, type StageKey } from './vocabulary';

/**
 * What a new version of a plan changes on a running deal, and which of those changes the deal refuses.
 * Pure: the amend use case applies an accepted diff (plan-amend.ts).
 */
export interface PlanChange {
  /** Dotted path; milestones by id: `stages.door-opener.milestones.warm-intro.owner`. */
  path: string;
  change: 'added' | 'removed' | 'changed';
  from?: unknown;
  to?: unknown;
}

export interface PlanProblem {
  path: string;
  message: string;
}

export interface PlanDiff {
  changes: PlanChange[];
  /** Refused changes: when any, the amendment is refused whole (409) and nothing changes. */
  problems: PlanProblem[];
}

/** Sections compared as a whole value when they are arrays, field by field when they are objects. */
const SECTIONS = [
  'name',
  'account',
  'partner',
  'jointOutcome',
  'attribution',
  'economicSplit',
  'owners',
  'escalation',
  'risks',
  'cadence',
  'reminders',
  'ace',
] as const;

/**
 * What only the vendor and the partner see (the customer's people never do): the economics, the
 * attribution tag, the escalation ladders and the Partner Central (ACE) fields. Left out of anything a
 * link holder of any party may read.
 */
const NOT_FOR_EVERY_READER = ['economicSplit', 'attribution', 'escalation', 'ace'] as const;

/** Whether a change may be told to any link holder (a superseded link's page says what changed). */
export function sharedChange(c: PlanChange): boolean {
  return !NOT_FOR_EVERY_READER.some((s) => c.path === s || c.path.startsWith(`${s}.`));
}

/** The milestone fields an amendment may change while the milestone is not done. */
const MILESTONE_FIELDS = ['title', 'owner', 'due', 'handoff'] as const;

export function diffPlan(
  deal: Pick<Deal, 'status' | 'stages' | 'plan'>,
  milestones: MilestoneState[],
  next: Plan,
): PlanDiff {
  const old = deal.plan;
  const changes: PlanChange[] = [];
  for (const section of SECTIONS) diffValue(section, old[section], next[section], changes);
  const problems: PlanProblem[] = [];
  if (deal.status !== 'active') {
    problems.push({
      path: '(deal)',
      message: `the deal is closed (${deal.status}): a closed deal does not change`,
    });
  }
  if (old.partner.name !== next.partner.name) {
    problems.push({
      path: 'partner.name',
      message: `the partner is ${old.partner.name}: a deal does not change partner; close it and load a new plan`,
    });
  }
  if (old.attribution !== next.attribution && deal.stages[STAGE_KEYS[0]].status === 'passed') {
    problems.push({
      path: 'attribution',
      message: 'attribution is agreed before the deal is in flight: it cannot change once stage 1 has passed',
    });
  }
  const stateOf = new Map(milestones.filter((m) => !m.removed).map((m) => [m.milestoneId, m]));
  const oldStageOf = new Map<string, StageKey>();
  for (const stage of STAGE_KEYS) for (const m of old.stages[stage].milestones) oldStageOf.set(m.id, stage);
  const newIds = new Set(STAGE_KEYS.flatMap((s) => next.stages[s].milestones.map((m) => m.id)));

  for (const stage of STAGE_KEYS) {
    const passed = deal.stages[stage].status === 'passed';
    const base = `stages.${stage}`;
    const before = old.stages[stage];
    const after = next.stages[stage];
    const stageChanges: PlanChange[] = [];
    for (const field of ['exit', 'confirmedBy', 'deadline'] as const) {
      diffValue(`${base}.${field}`, before[field], after[field], stageChanges);
    }
    const oldById = new Map(before.milestones.map((m) => [m.id, m]));
    for (const m of after.milestones) {
      const path = `${base}.milestones.${m.id}`;
      const was = oldById.get(m.id);
      const state = stateOf.get(m.id);
      if (!was) {
        const from = oldStageOf.get(m.id);
        if (from && from !== stage) {
          problems.push({
            path,
            message: `milestone ${m.id} is in stage ${from}: a milestone stays in its stage; remove it and add a new one`,
          });
          continue;
        }
        stageChanges.push({ path, change: 'added', to: summary(m) });
        continue;
      }
      const fieldChanges: PlanChange[] = [];
      for (const field of MILESTONE_FIELDS) diffValue(`${path}.${field}`, was[field], m[field], fieldChanges);
      if (fieldChanges.length && state?.status === 'done') {
        problems.push({
          path,
          message: `milestone ${m.id} is done (${state.doneBy}, ${state.doneAt}): it stays as it is`,
        });
      }
      stageChanges.push(...fieldChanges);
    }
    for (const m of before.milestones) {
      if (newIds.has(m.id)) continue;
      const path = `${base}.milestones.${m.id}`;
      if (stateOf.get(m.id)?.status === 'done') {
        problems.push({ path, message: `milestone ${m.id} is done: a done milestone cannot be removed` });
      }
      stageChanges.push({ path, change: 'removed', from: summary(m) });
    }
    if (passed && stageChanges.length) {
      for (const c of stageChanges) {
        const what = c.change === 'added' && c.path.includes('.milestones.') ? 'add work to' : 'change';
        problems.push({ path: c.path, message: `stage ${stage} has passed: an amendment cannot ${what} it` });
      }
    }
    changes.push(...stageChanges);
  }
  return { changes, problems: dedupe(problems) };
}

function summary(m: Milestone) {
  return { title: m.title, owner: m.owner, due: m.due, ...(m.handoff ? { handoff: m.handoff } : {}) };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Leaf changes between two values: objects field by field, anything else (arrays too) as one value. */
export function diffValue(path: string, from: unknown, to: unknown, out: PlanChange[]): void {
  if (from === undefined && to === undefined) return;
  if (from === undefined) {
    out.push({ path, change: 'added', to });
    return;
  }
  if (to === undefined) {
    out.push({ path, change: 'removed', from });
    return;
  }
  if (isObject(from) && isObject(to)) {
    const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])];
    for (const key of keys) diffValue(`${path}.${key}`, from[key], to[key], out);
    return;
  }
  if (JSON.stringify(from) !== JSON.stringify(to)) out.push({ path, change: 'changed', from, to });
}

function dedupe(problems: PlanProblem[]): PlanProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\n${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** One line per change, for people: `~ stages.door-opener.milestones.warm-intro.owner: partner -> raj@...`. */
export function describeChange(c: PlanChange): string {
  const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  if (c.change === 'added') return `+ ${c.path}: ${show(c.to)}`;
  if (c.change === 'removed') return `- ${c.path}: ${show(c.from)}`;
  return `~ ${c.path}: ${show(c.from)} -> ${show(c.to)}`;
}
