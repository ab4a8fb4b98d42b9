import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PartnerCentralEmulator } from '../../../local/partner-central-emulator';

const VALID = {
  Catalog: 'Sandbox',
  ClientToken: 'token-1',
  Origin: 'Partner Referral',
  OpportunityType: 'Net New Business',
  PartnerOpportunityIdentifier: 'pl_1',
  Customer: {
    Account: {
      CompanyName: 'Globex Corporation',
      WebsiteUrl: 'https://globex.example',
      Industry: 'Software and Internet',
      Address: { CountryCode: 'US', PostalCode: '10001' },
    },
  },
  Project: {
    Title: 'Globex platform migration',
    CustomerBusinessProblem: 'Globex must replace its legacy MES soon.',
    DeliveryModels: ['SaaS or PaaS'],
    ExpectedCustomerSpend: [
      { Amount: '10000', CurrencyCode: 'USD', Frequency: 'Monthly', TargetCompany: 'AWS' },
    ],
  },
  LifeCycle: { Stage: 'Prospect', TargetCloseDate: '2027-02-26' },
};

function emulator() {
  const pc = new PartnerCentralEmulator(
    join(mkdtempSync(join(tmpdir(), 'ace-')), 'ace.json'),
    () => new Date('2026-12-02T15:00:00Z'),
  );
  const routes = pc.routes();
  const call = (op: string, body: unknown) =>
    (routes[`AWSPartnerCentralSelling.${op}`] as (b: unknown) => Promise<Record<string, unknown>>)(body);
  return { pc, call };
}

describe('the local Partner Central endpoint', () => {
  it('creates once per ClientToken and refuses what ACE refuses', async () => {
    const { pc, call } = emulator();
    const a = await call('CreateOpportunity', VALID);
    const b = await call('CreateOpportunity', VALID);
    expect(b.Id).toBe(a.Id);
    expect(pc.list()).toHaveLength(1);
    await expect(
      call('CreateOpportunity', { ...VALID, ClientToken: 't2', Catalog: 'Prod' }),
    ).rejects.toMatchObject({
      type: 'ValidationException',
    });
    const noIndustry = structuredClone(VALID);
    delete (noIndustry.Customer.Account as Partial<typeof VALID.Customer.Account>).Industry;
    await expect(call('CreateOpportunity', { ...noIndustry, ClientToken: 't3' })).rejects.toThrow(
      /Industry is required/,
    );
    await expect(
      call('CreateOpportunity', {
        ...VALID,
        ClientToken: 't4',
        Project: { ...VALID.Project, CustomerBusinessProblem: 'short' },
      }),
    ).rejects.toThrow(/CustomerBusinessProblem must be 20 to 2000/);
  });

  it('updates only the record as last read, and needs a ClosedLostReason to close lost', async () => {
    const { pc, call } = emulator();
    const { Id } = await call('CreateOpportunity', VALID);
    const read = await call('GetOpportunity', { Catalog: 'Sandbox', Identifier: Id });
    const { Id: _id, CreatedDate: _c, RelatedEntityIdentifiers: _r, Origin: _o, ...record } = read;
    const update = { ...record, Identifier: Id, LastModifiedDate: read.LastModifiedDate };
    await expect(
      call('UpdateOpportunity', {
        ...update,
        LifeCycle: { Stage: 'Closed Lost', TargetCloseDate: '2027-02-26' },
      }),
    ).rejects.toThrow(/ClosedLostReason is required/);
    await call('UpdateOpportunity', {
      ...update,
      LifeCycle: { Stage: 'Qualified', TargetCloseDate: '2027-02-26' },
    });
    await expect(
      call('UpdateOpportunity', {
        ...update,
        LifeCycle: { Stage: 'Committed', TargetCloseDate: '2027-02-26' },
      }),
    ).rejects.toMatchObject({ type: 'ConflictException' });
    expect(pc.list()[0]?.LifeCycle).toMatchObject({ Stage: 'Qualified' });
  });
});
