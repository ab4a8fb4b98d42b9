import { describe, expect, it } from 'vitest';
import { cosell, partnerPlansRoute } from './cosell-harness';

describe('cosell partner-plan list', () => {
  it('lists the partner plans', async () => {
    const list = await cosell(['partner-plan', 'list'], { route: partnerPlansRoute() });
    expect(list.stdout).toMatch(/^PARTNER +ACCOUNTS +QUARTER +TARGET +CURRENCY +FRONTS$/m);
    expect(list.stdout).toMatch(/^Northwind Integrators +4 +2027-Q1 +600000 +USD +partner$/m);
  });
});
