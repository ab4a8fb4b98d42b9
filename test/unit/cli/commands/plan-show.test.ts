import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../../../cli/exit-codes';
import { PLAN_VIEW } from '../fixtures';
import { cosell, PLANS_ROUTE as route } from './cosell-harness';

describe('cosell plan show', () => {
  it('shows one plan as a table, as Markdown or as JSON', async () => {
    const table = await cosell(['plan', 'show', PLAN_VIEW.planId], { route });
    expect(table.stdout.startsWith('Globex platform migration\n')).toBe(true);
    const md = await cosell(['plan', 'show', PLAN_VIEW.planId, '--format', 'md'], { route });
    expect(md.stdout.startsWith('# Globex platform migration\n')).toBe(true);
    const json = await cosell(['plan', 'show', PLAN_VIEW.planId, '--json'], { route });
    expect(JSON.parse(json.stdout)).toEqual(PLAN_VIEW);
  });

  it('exits 3 for an unknown plan id', async () => {
    const run = await cosell(['plan', 'show', 'pl_nope'], { route });
    expect(run.code).toBe(ExitCode.notFound);
    expect(run.stderr).toBe('cosell: no plan with id pl_nope (see: cosell plan list)\n');
  });
});
