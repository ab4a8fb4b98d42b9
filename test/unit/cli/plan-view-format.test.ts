import { describe, expect, it } from 'vitest';
import { formatPlanList, formatPlanMarkdown, formatPlanText } from '../../../cli/plan-view-format';
import { PLAN_VIEW } from './fixtures';

describe('formatPlanMarkdown', () => {
  const md = formatPlanMarkdown(PLAN_VIEW);

  it('heads the page with the deal and its facts', () => {
    expect(md.startsWith('# Globex platform migration\n\n- **Plan:** pl_0123456789abcdef0123\n')).toBe(true);
    expect(md).toContain('- **Status:** active, stage 2 of 3 (door-opener)');
    expect(md).toContain('- **Close date:** 2027-02-26');
  });

  it('lists stages with their status and what each waits for', () => {
    expect(md).toContain(
      '## Stages\n\n| # | Stage | Status | Opened | Passed | Waiting for |\n| ---: | --- |',
    );
    expect(md).toContain(
      '| 1 | target-account-selection | passed | 2026-11-23 10:00Z | 2026-11-25 16:30Z |  |',
    );
    expect(md).toContain(
      '| 2 | door-opener | open | 2026-11-25 16:30Z |  | milestones: warm-intro; confirmation: partner |',
    );
  });

  it('lists milestones with owner, due date (and slips), status and handoff', () => {
    expect(md).toContain(
      '| door-opener | Warm introduction to Lee Park [warm-intro] | Dana Whit (partner) <dana.whit@northwind.example> | 2026-12-18 (slipped from 2026-12-11) | open |  |',
    );
    expect(md).toContain('| open | customer -> partner, not accepted yet |');
  });

  it('lists the confirmations with their evidence, escaping pipes', () => {
    expect(md).toContain('## Confirmations');
    expect(md).toContain(
      '| target-account-selection | partner | dana.whit@northwind.example | 2026-11-25 16:30Z | note: a \\| b |',
    );
  });

  it('says when nothing is confirmed yet', () => {
    const fresh = { ...PLAN_VIEW, stages: PLAN_VIEW.stages?.map((s) => ({ ...s, confirmations: [] })) };
    expect(formatPlanMarkdown(fresh)).toContain('## Confirmations\n\n_None yet._\n');
  });
});

describe('formatPlanText', () => {
  it('shows facts, then stages, milestones and confirmations as aligned tables', () => {
    const text = formatPlanText(PLAN_VIEW);
    expect(text.split('\n').slice(0, 3)).toEqual([
      'Globex platform migration',
      '  Plan:         pl_0123456789abcdef0123',
      '  Partner:      Northwind Integrators',
    ]);
    expect(text).toMatch(/^Stages\n# {2}STAGE {2}/m);
    expect(text).toMatch(/^Milestones\nSTAGE +MILESTONE +OWNER +DUE +STATUS +HANDOFF$/m);
    expect(text).toMatch(/^Confirmations\nSTAGE +PARTY +BY +AT +EVIDENCE$/m);
  });
});

describe('formatPlanList', () => {
  it('is a table with a count, or a hint when there are no plans', () => {
    const text = formatPlanList([
      {
        planId: 'pl_1',
        name: 'Globex',
        partner: 'Northwind',
        account: 'Globex Corp',
        stage: 'door-opener',
        status: 'active',
      },
    ]);
    expect(text.split('\n')[0]).toMatch(/^PLAN +NAME +PARTNER +ACCOUNT +STAGE +STATUS$/);
    expect(text.endsWith('\n\n1 plan')).toBe(true);
    expect(formatPlanList([])).toBe('No plans yet. Load one with: cosell plan create FILE');
  });
});
