import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Deal, type MilestoneState, startDeal } from '../../lambdas/domain/deal';
import { parsePlanDocument } from '../../lambdas/domain/plan-document';
import type { DealSnapshot } from '../../lambdas/domain/ports';
import type { Plan, StageKey } from '../../lambdas/schemas/plan.schema';

/**
 * The reference plan (`plan-example.yaml`) and deals made from it: shared by the tests and by the scripts
 * that render previews and run benchmarks, so it lives outside `test/`.
 */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const REFERENCE_PLAN_PATH = path.resolve(repoRoot, '../shared/plan-example.yaml');

let text: string | undefined;

/** The reference plan (`plan-example.yaml`), parsed and validated; a fresh copy on every call. */
export function referencePlan(): Plan {
  text ??= readFileSync(REFERENCE_PLAN_PATH, 'utf8');
  return parsePlanDocument(text, 'yaml');
}

/** The people the reference plan names, by role. */
export const PEOPLE = {
  ana: 'ana.ruiz@vendor.example',
  dana: 'dana.whit@northwind.example',
  lee: 'lee.park@globex.example',
  sam: 'sam.ortiz@vendor.example',
  kim: 'kim.lau@vendor.example',
  raj: 'raj.mehta@northwind.example',
} as const;

export const PLAN_ID = 'pl_test0000000000000001';
export const TENANT = 'acme';
export const DEFAULT_TZ = 'America/Chicago';

/** A freshly started deal for `plan` (the reference plan by default), created at `now`. */
export function startedDeal(
  now = new Date('2026-12-01T15:00:00Z'),
  plan: Plan = referencePlan(),
): DealSnapshot {
  return startDeal(plan, { planId: PLAN_ID, tenant: TENANT, defaultTimezone: DEFAULT_TZ }, now);
}

/**
 * A deal advanced to `stage` as the workflow would leave it: every earlier stage passed (its milestones
 * done, its confirming parties confirmed), `stage` open.
 */
export function dealAtStage(
  stage: StageKey,
  now = new Date('2026-12-01T15:00:00Z'),
  plan?: Plan,
): DealSnapshot {
  const { deal, milestones } = startedDeal(now, plan);
  const keys = Object.keys(deal.stages) as StageKey[];
  const at = now.toISOString();
  const stages = { ...deal.stages };
  for (const key of keys.slice(0, keys.indexOf(stage))) {
    stages[key] = {
      status: 'passed',
      openedAt: at,
      passedAt: at,
      confirmations: deal.plan.stages[key].confirmedBy.map((party) => ({
        party,
        by: deal.plan.owners[party]?.email ?? 'unknown',
        at,
        evidence: {},
      })),
      escalations: 0,
    };
  }
  stages[stage] = { ...stages[stage], status: 'open', openedAt: at };
  const passed = new Set(keys.slice(0, keys.indexOf(stage)));
  const ms: MilestoneState[] = milestones.map((m) =>
    passed.has(m.stage) ? { ...m, status: 'done', doneAt: at, doneBy: m.owner.email } : m,
  );
  const advanced: Deal = { ...deal, stage, stages };
  return { deal: advanced, milestones: ms };
}

export function milestoneOf(snapshot: DealSnapshot, id: string): MilestoneState {
  const m = snapshot.milestones.find((x) => x.milestoneId === id);
  if (!m) throw new Error(`no milestone ${id}`);
  return m;
}
