import { describe, expect, it } from 'vitest';
import {
  type ClosedAggregate,
  closedChange,
  entryKinds,
  entryOf,
  rebuildAggregates,
} from '../../../lambdas/domain/closed-aggregates';
import type { Deal } from '../../../lambdas/domain/deal';
import type { DealSnapshot } from '../../../lambdas/domain/ports';
import { programReport, programReportOf } from '../../../lambdas/domain/reports';
import type { PartnerPlan } from '../../../lambdas/schemas/partner-plan.schema';
import {
  FORECAST_PROGRAM,
  FORECAST_PROGRAM_COST,
  forecastPartnerPlans,
} from '../../../scripts/lib/forecast-program';
import {
  generateProgram,
  PROGRAM,
  PROGRAM_NOW,
  partnerPlanFixture,
  programPartnerPlans,
} from '../../../scripts/lib/program-fixture';
import { programReport as legacyReport } from './report-oracle/reports.legacy';

// The report over active deals plus closed aggregates must say exactly what the report over every deal said
// (report-oracle/ holds the report as it was, reading every deal). Then: running aggregates, changed save by
// save as the deal store changes them, equal the ones rebuilt from scratch.

const programs: [string, DealSnapshot[], PartnerPlan[]][] = [
  ['the 510-deal program', generateProgram(PROGRAM, PROGRAM_NOW), programPartnerPlans()],
  ['the forecast program', generateProgram(FORECAST_PROGRAM, PROGRAM_NOW), forecastPartnerPlans()],
];

/** Deterministic shuffle (the report follows the deals' order for names and lists). */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Variety the fixtures lack: other currencies, spellings, reasons, verdicts and disagreements. */
function varied(deals: DealSnapshot[]): DealSnapshot[] {
  return deals.map((s, i) => {
    const d = s.deal;
    if (d.status === 'active') return i % 9 === 0 ? withCurrency(s, 'EUR') : s;
    let deal: Deal = d;
    if (i % 7 === 0)
      deal = {
        ...deal,
        plan: {
          ...deal.plan,
          partner: { ...deal.plan.partner, name: ` ${deal.plan.partner.name.toUpperCase()} ` },
        },
      };
    if (i % 5 === 0) {
      const { offPartnerPlan: _o, offPartnerPlanReason: _r, ...rest } = deal;
      deal = rest;
    }
    if (i % 6 === 0)
      deal = { ...deal, attributionCheck: { rule: 'first-touch', agrees: i % 12 === 0, why: `why ${i}` } };
    if (i % 8 === 0 && deal.status === 'lost')
      deal = {
        ...deal,
        closed: {
          outcome: 'no-decision',
          reason: i % 16 === 0 ? 'Budget  cut' : 'budget cut',
          stage: deal.stage,
          at: deal.updatedAt,
          by: 'ops',
        },
      };
    if (i % 11 === 0)
      deal = { ...deal, outcome: { ...(deal.outcome as NonNullable<Deal['outcome']>), currency: 'EUR' } };
    return { ...s, deal };
  });
}

function withCurrency(s: DealSnapshot, currency: string): DealSnapshot {
  const arr = { ...s.deal.plan.jointOutcome.arr, currency };
  return {
    ...s,
    deal: { ...s.deal, plan: { ...s.deal.plan, jointOutcome: { ...s.deal.plan.jointOutcome, arr } } },
  };
}

describe('the program report over active deals and closed aggregates', () => {
  for (const [name, deals, plans] of programs) {
    const extra = [
      ...plans,
      partnerPlanFixture('A partner with no deals', { quarter: '2027-Q1', arr: 10_000 }),
    ];
    const options = [
      {},
      { stallDays: 3 },
      { currency: 'EUR' },
      { partner: deals[0]?.deal.plan.partner.name.toUpperCase() ?? '' },
      { programCost: FORECAST_PROGRAM_COST, stageWeights: [5, 15, 30, 50, 90], quarter: '2027-Q2' },
    ];
    it(`says what the report over every deal said, for ${name}`, () => {
      for (const input of [deals, varied(deals), shuffled(varied(deals), 7)]) {
        for (const o of options) {
          expect(programReport(input, extra, PROGRAM_NOW, o)).toEqual(
            legacyReport(input, extra, PROGRAM_NOW, o),
          );
        }
        // Without partner plans: names from the first deal, every verdict as stored.
        expect(programReport(input, [], PROGRAM_NOW)).toEqual(legacyReport(input, [], PROGRAM_NOW));
      }
    }, 60_000);
  }

  it('reads the same from the aggregates and entries a store keeps (deals by plan id)', () => {
    const [, deals, plans] = programs[0] as (typeof programs)[0];
    const all = varied(deals).sort((a, b) => a.deal.planId.localeCompare(b.deal.planId));
    const closed = all.map((s) => s.deal).filter((d) => d.status !== 'active');
    const input = {
      active: all.filter((s) => s.deal.status === 'active'),
      closed: rebuildAggregates(closed),
      entries: closed.map((d) => entryOf(d)).filter((e) => e !== undefined),
    };
    expect(programReportOf(input, plans, PROGRAM_NOW)).toEqual(legacyReport(all, plans, PROGRAM_NOW));
  });
});

describe('running closed aggregates', () => {
  it('equal the aggregates rebuilt from scratch after closes, updates and retried saves', () => {
    const [, deals] = programs[0] as (typeof programs)[0];
    const finals = varied(deals).map((s) => s.deal);
    const running = new Map<string, ClosedAggregate>();
    const entries = new Map<string, string[]>();
    const applySave = (before: Deal | undefined, after: Deal) => {
      const change = closedChange(before, after);
      if (!change) return;
      for (const key of change.partners) running.set(key, change.apply(running.get(key), key));
      if (change.put.length > 0)
        entries.set(after.planId, entryKinds(change.entry as NonNullable<typeof change.entry>));
    };
    for (const deal of finals) {
      // Each deal starts active, then closes (won at registration, lost at a gate or by ops).
      const active: Deal = { ...deal, status: 'active' };
      applySave(undefined, active);
      applySave(active, deal);
      // A closed deal saved again unchanged (a retried save that found it closed) counts nothing more.
      applySave(deal, deal);
      // A registration that adds its attribution check changes the entry only.
      if (deal.status === 'won' && !deal.attributionCheck) {
        const checked = { ...deal, attributionCheck: { rule: 'r', agrees: false, why: 'w' } };
        applySave(deal, checked);
        applySave(checked, deal);
      }
    }
    const strip = (list: ClosedAggregate[]) =>
      list.map((a) => ({ ...a })).sort((a, b) => a.partnerKey.localeCompare(b.partnerKey));
    expect(strip([...running.values()])).toEqual(strip(rebuildAggregates(finals)));
    expect(running.size).toBeGreaterThan(4);
  });

  it('does not change for a save that leaves an active deal active', () => {
    const [, deals] = programs[0] as (typeof programs)[0];
    const active = deals.find((s) => s.deal.status === 'active')?.deal as Deal;
    expect(closedChange(active, { ...active, updatedAt: PROGRAM_NOW.toISOString() })).toBeUndefined();
  });
});
