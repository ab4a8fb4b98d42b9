import { describe, expect, it } from 'vitest';
import { channelDetailTypes } from '../../lib/integration-settings';
import { TenantSettingsSchema } from '../../lib/tenant-config';

const BASE = {
  senderAddress: 'deals@acme.example',
  publicBaseUrl: 'https://deals.acme.example',
  defaultTimezone: 'America/New_York',
};

describe('tenant channels and ace settings', () => {
  it('defaults to no channels and no ACE', () => {
    const parsed = TenantSettingsSchema.parse(BASE);
    expect(parsed.channels).toEqual([]);
    expect(parsed.ace).toBeUndefined();
  });

  it('takes channels and ace, with the default moments and paper', () => {
    const parsed = TenantSettingsSchema.parse({
      ...BASE,
      channels: [{ name: 'deals', kind: 'slack', secretName: 'cosell-flow-acme/slack' }],
      ace: { catalog: 'Sandbox' },
    });
    expect(parsed.ace).toEqual({ catalog: 'Sandbox', onlyPaper: ['marketplace'] });
    expect(channelDetailTypes(parsed.channels[0] ?? {})).toEqual([
      'CoSell Stage Advanced',
      'CoSell Milestone Slipped',
      'CoSell Escalated',
      'CoSell Needs Attention',
      'CoSell Deal Registered',
      'CoSell Deal Closed Lost',
    ]);
  });

  it('refuses an unknown kind, a duplicate name and a catalog ACE does not have', () => {
    const result = TenantSettingsSchema.safeParse({
      ...BASE,
      channels: [
        { name: 'deals', kind: 'email', secretName: 's' },
        { name: 'deals', kind: 'slack', secretName: 's' },
      ],
      ace: { catalog: 'Prod' },
    });
    expect(result.success).toBe(false);
    const messages = result.error?.issues.map((i) => i.message) ?? [];
    expect(messages).toContain('channels[].kind must be slack, teams or webhook');
    expect(messages).toContain('ace.catalog must be Sandbox or AWS');
  });
});
