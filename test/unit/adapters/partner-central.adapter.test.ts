import {
  AssociateOpportunityCommand,
  CreateOpportunityCommand,
  GetOpportunityCommand,
  PartnerCentralSellingClient,
  UpdateOpportunityCommand,
} from '@aws-sdk/client-partnercentral-selling';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { PartnerCentralAdapter } from '../../../lambdas/adapters/partner-central.adapter';
import type { AceReviewSeen, Deal, NeedsAttention } from '../../../lambdas/domain/deal';
import type { AceDealRecorder } from '../../../lambdas/domain/ports/ace-deal.port';
import {
  type AceSyncDeps,
  clientToken,
  closedLostReason,
  syncAce,
} from '../../../lambdas/domain/use-cases/ace-sync';
import { RoomLinkMailer } from '../../../lambdas/domain/use-cases/room';
import { aceReviewEmail } from '../../../lambdas/views/emails/ace-review-email';
import {
  FakeClock,
  FakeEffectLedger,
  FixedSigningKeys,
  RecordingEventPublisher,
  RecordingMailer,
  TEST_CONFIG,
} from '../../helpers/fakes';
import { dealAtStage, PLAN_ID, planWith } from '../../helpers/plan';

const pc = mockClient(PartnerCentralSellingClient);
afterEach(() => pc.reset());

const MODIFIED = new Date('2026-12-02T10:00:00.000Z');
const ACE_BLOCK = {
  industry: 'Software and Internet',
  countryCode: 'US',
  postalCode: '10001',
  customerBusinessProblem: 'Globex needs one place to see and act on its partner-sourced deals.',
  deliveryModels: ['SaaS or PaaS' as const],
  primaryNeeds: ['Co-Sell - Deal Support' as const],
  opportunityType: 'Net New Business' as const,
};

class RecordingRecorder implements AceDealRecorder {
  readonly opportunities: { planId: string; opportunityId: string; catalog: string }[] = [];
  readonly flags: { planId: string; attention: NeedsAttention }[] = [];
  async recordOpportunity(planId: string, ace: { opportunityId: string; catalog: string }) {
    this.opportunities.push({ planId, ...ace });
  }
  readonly reviews: AceReviewSeen[] = [];
  async flagAttention(planId: string, attention: NeedsAttention) {
    this.flags.push({ planId, attention });
  }
  async recordReview(_planId: string, review: AceReviewSeen) {
    this.reviews.push(review);
  }
}

function setup(deal: Deal) {
  const recorder = new RecordingRecorder();
  const events = new RecordingEventPublisher();
  const clock = new FakeClock('2026-12-02T12:00:00.000Z');
  // The vendor owner's email leaves as in the function: with their room link signed in.
  const outbox = new RecordingMailer();
  const mailer = new RoomLinkMailer(outbox, { keys: new FixedSigningKeys(), config: TEST_CONFIG, clock });
  const deps: AceSyncDeps = {
    mailer,
    views: { aceReview: aceReviewEmail },
    config: TEST_CONFIG,
    clock,
    // The deal as stored: with the review status ace-sync last recorded on it.
    store: {
      get: async (id) => {
        const aceReview = recorder.reviews.at(-1);
        return id === deal.planId
          ? { deal: { ...deal, ...(aceReview ? { aceReview } : {}) }, milestones: [] }
          : undefined;
      },
    },
    partnerCentral: new PartnerCentralAdapter(new PartnerCentralSellingClient({ region: 'us-east-1' })),
    recorder,
    ledger: new FakeEffectLedger(),
    events,
    ace: { catalog: 'Sandbox', solutionId: 'S-0000001', onlyPaper: ['marketplace'] },
  };
  return { deps, recorder, events, outbox };
}

const marketplaceDeal = (ace?: Deal['ace']): Deal => {
  const { deal } = dealAtStage(
    'joint-discovery',
    undefined,
    planWith((p) => Object.assign(p, { ace: ACE_BLOCK })),
  );
  return ace ? { ...deal, ace } : deal;
};

const stored = {
  Catalog: 'Sandbox',
  Id: 'O1234567',
  Arn: 'arn:aws:partnercentral:us-east-1:aws:catalog/Sandbox/opportunity/O1234567',
  PartnerOpportunityIdentifier: PLAN_ID,
  Customer: { Account: { CompanyName: 'Globex' } },
  Project: { Title: 'Globex' },
  OpportunityType: 'Net New Business' as const,
  LastModifiedDate: MODIFIED,
  CreatedDate: MODIFIED,
  RelatedEntityIdentifiers: { Solutions: ['S-0000001'] },
  LifeCycle: {
    Stage: 'Qualified' as const,
    TargetCloseDate: '2027-02-26',
    ReviewStatus: 'Approved' as const,
    NextStepsHistory: [{ Value: 'x', Time: MODIFIED }],
  },
};

describe('ace-sync through the Partner Central adapter', () => {
  it('creates the opportunity on Plan Started with a ClientToken from the event, then associates the solution', async () => {
    // Prepare
    const deal = marketplaceDeal();
    const { deps, recorder } = setup(deal);
    pc.on(CreateOpportunityCommand).resolves({ Id: 'O1234567' });
    pc.on(AssociateOpportunityCommand).resolves({});

    // Act
    const result = await syncAce(deps, {
      source: 'cosell.flow',
      'detail-type': 'CoSell Plan Started',
      detail: { planId: deal.planId },
    });

    // Assess
    expect(result).toEqual({ outcome: 'created', opportunityId: 'O1234567', stage: 'Prospect' });
    const arr = deal.plan.jointOutcome.arr;
    expect(pc.commandCalls(CreateOpportunityCommand)[0]?.args[0].input).toEqual({
      Catalog: 'Sandbox',
      ClientToken: clientToken(`plan-started#${deal.planId}`),
      Origin: 'Partner Referral',
      OpportunityType: 'Net New Business',
      NationalSecurity: 'No',
      PartnerOpportunityIdentifier: deal.planId,
      PrimaryNeedsFromAws: ['Co-Sell - Deal Support'],
      Customer: {
        Account: {
          CompanyName: deal.plan.account.name,
          Industry: 'Software and Internet',
          WebsiteUrl: `https://${deal.plan.account.domain}`,
          Address: { CountryCode: 'US', PostalCode: '10001' },
        },
      },
      Project: {
        Title: deal.plan.name,
        CustomerBusinessProblem: ACE_BLOCK.customerBusinessProblem,
        DeliveryModels: ['SaaS or PaaS'],
        SalesActivities: ['Initialized discussions with customer'],
        ExpectedCustomerSpend: [
          {
            Amount: String(Math.round(arr.max / 12)),
            CurrencyCode: arr.currency,
            Frequency: 'Monthly',
            TargetCompany: 'AWS',
          },
        ],
      },
      LifeCycle: { Stage: 'Prospect', TargetCloseDate: deal.plan.jointOutcome.closeDate },
    });
    expect(clientToken(`plan-started#${deal.planId}`)).toMatch(/^[!-~]{1,64}$/);
    expect(pc.commandCalls(AssociateOpportunityCommand)[0]?.args[0].input).toEqual({
      Catalog: 'Sandbox',
      OpportunityIdentifier: 'O1234567',
      RelatedEntityType: 'Solutions',
      RelatedEntityIdentifier: 'S-0000001',
    });
    expect(recorder.opportunities).toEqual([
      { planId: deal.planId, opportunityId: 'O1234567', catalog: 'Sandbox' },
    ]);
  });

  it('on Stage Advanced reads the record and writes it back whole with the mapped stage', async () => {
    // Prepare
    const { deps } = setup(marketplaceDeal({ opportunityId: 'O1234567', catalog: 'Sandbox' }));
    pc.on(GetOpportunityCommand).resolves(stored);
    pc.on(UpdateOpportunityCommand).resolves({ Id: 'O1234567', LastModifiedDate: MODIFIED });

    // Act
    const result = await syncAce(deps, {
      source: 'cosell.flow',
      'detail-type': 'CoSell Stage Advanced',
      detail: { planId: PLAN_ID, from: 'door-opener', to: 'joint-discovery' },
    });

    // Assess
    expect(result).toEqual({ outcome: 'updated', opportunityId: 'O1234567', stage: 'Technical Validation' });
    expect(pc.commandCalls(GetOpportunityCommand)[0]?.args[0].input).toEqual({
      Catalog: 'Sandbox',
      Identifier: 'O1234567',
    });
    expect(pc.commandCalls(UpdateOpportunityCommand)[0]?.args[0].input).toEqual({
      Catalog: 'Sandbox',
      Identifier: 'O1234567',
      PartnerOpportunityIdentifier: PLAN_ID,
      Customer: { Account: { CompanyName: 'Globex' } },
      Project: { Title: 'Globex' },
      OpportunityType: 'Net New Business',
      LastModifiedDate: MODIFIED,
      LifeCycle: { Stage: 'Technical Validation', TargetCloseDate: '2027-02-26' },
    });
  });

  it('closes as Closed Lost with a reason from the close, and never writes the same stage twice', async () => {
    // Prepare
    const { deps } = setup(marketplaceDeal({ opportunityId: 'O1234567', catalog: 'Sandbox' }));
    pc.on(GetOpportunityCommand)
      .resolvesOnce(stored)
      .resolves({
        ...stored,
        LifeCycle: { ...stored.LifeCycle, Stage: 'Closed Lost' },
      });
    pc.on(UpdateOpportunityCommand).resolves({ Id: 'O1234567', LastModifiedDate: MODIFIED });
    const lost = {
      source: 'cosell.flow',
      'detail-type': 'CoSell Deal Closed Lost',
      detail: { planId: PLAN_ID, closeOutcome: 'lost', reason: 'Budget cut', stage: 'joint-discovery' },
    };

    // Act
    await syncAce(deps, lost);
    const again = await syncAce(deps, lost);

    // Assess
    expect(pc.commandCalls(UpdateOpportunityCommand)).toHaveLength(1);
    expect(pc.commandCalls(UpdateOpportunityCommand)[0]?.args[0].input.LifeCycle).toEqual({
      Stage: 'Closed Lost',
      ClosedLostReason: 'Price',
      NextSteps: 'Closed lost at stage 3: Budget cut',
      TargetCloseDate: '2027-02-26',
    });
    expect(again.outcome).toBe('unchanged');
  });

  it('skips deals not on qualifying paper', async () => {
    const deal = marketplaceDeal();
    const { deps } = setup({
      ...deal,
      plan: { ...deal.plan, jointOutcome: { ...deal.plan.jointOutcome, paper: 'vendor' } },
    });
    const result = await syncAce(deps, {
      source: 'cosell.flow',
      'detail-type': 'CoSell Plan Started',
      detail: { planId: PLAN_ID },
    });
    expect(result.outcome).toBe('skipped');
    expect(pc.calls()).toHaveLength(0);
  });

  it('flags the deal and tells the vendor owner when ACE review asks for action', async () => {
    // Prepare
    const deal = marketplaceDeal({ opportunityId: 'O1234567', catalog: 'Sandbox' });
    const { deps, recorder, events } = setup(deal);
    pc.on(GetOpportunityCommand).resolves({
      ...stored,
      LifeCycle: { ...stored.LifeCycle, ReviewStatus: 'Action Required', ReviewComments: 'Add the website' },
    });

    // Act
    const result = await syncAce(deps, {
      source: 'aws.partnercentral-selling',
      'detail-type': 'Opportunity Updated',
      detail: { schemaVersion: '1', catalog: 'Sandbox', opportunity: { identifier: 'O1234567' } },
    });

    // Assess
    expect(result).toEqual({ outcome: 'flagged', opportunityId: 'O1234567', stage: 'Action Required' });
    expect(recorder.flags).toEqual([
      {
        planId: PLAN_ID,
        attention: {
          what: 'AWS Partner Central review: Action Required',
          error: 'Add the website',
          since: '2026-12-02T12:00:00.000Z',
        },
      },
    ]);
    expect(events.published).toHaveLength(1);
    expect(events.published[0]).toMatchObject({
      detailType: 'CoSell Needs Attention',
      detail: {
        what: 'AWS Partner Central review: Action Required',
        to: { email: deal.plan.owners.vendor?.email },
      },
    });
  });

  it('emails the vendor owner once per review status change: what ACE said, what to do, their room link', async () => {
    // Prepare
    const deal = marketplaceDeal({ opportunityId: 'O1234567', catalog: 'Sandbox' });
    const { deps, events, outbox } = setup(deal);
    const review = (status: 'Action Required' | 'Rejected', modified: string) =>
      pc.on(GetOpportunityCommand).resolves({
        ...stored,
        LastModifiedDate: new Date(modified),
        LifeCycle: { ...stored.LifeCycle, ReviewStatus: status, ReviewComments: 'Add the website' },
      });
    const updated = () =>
      syncAce(deps, {
        source: 'aws.partnercentral-selling',
        'detail-type': 'Opportunity Updated',
        detail: { catalog: 'Sandbox', opportunity: { identifier: 'O1234567' } },
      });

    // Act: Action Required; the record changes again (our own stage sync) with the same review; then Rejected.
    review('Action Required', '2026-12-02T10:00:00.000Z');
    await updated();
    review('Action Required', '2026-12-02T11:00:00.000Z');
    await updated();
    await updated();
    review('Rejected', '2026-12-03T09:00:00.000Z');
    await updated();

    // Assess
    const vendor = deal.plan.owners.vendor;
    expect(outbox.sent.map((m) => [m.to, m.subject])).toEqual([
      [[vendor?.email], `[${deal.plan.name}] AWS Partner Central: Action Required`],
      [[vendor?.email], `[${deal.plan.name}] AWS Partner Central: Rejected`],
    ]);
    expect(events.published.map((e) => e.detail.what)).toEqual([
      'AWS Partner Central review: Action Required',
      'AWS Partner Central review: Rejected',
    ]);
    const [first] = outbox.sent;
    expect(first?.text).toContain(`Hi ${vendor?.name},`);
    expect(first?.text).toContain('- Review status: Action Required');
    expect(first?.text).toContain('- Add the website');
    expect(first?.text).toContain('Open opportunity O1234567 in AWS Partner Central');
    // Their own view link to the deal room, signed as the email left.
    expect(first?.text).toMatch(
      new RegExp(`See the whole deal \\(${deal.plan.name}\\): https://links\\.acme\\.example/room/\\S+`),
    );
    expect(first?.html).toContain('https://links.acme.example/room/');
    expect(first?.onBehalfOf).toEqual({ name: vendor?.name, email: vendor?.email });
  });

  it('tells each review round once: the same round twice once, Action Required again after a resubmission again', async () => {
    // Prepare
    const deal = marketplaceDeal({ opportunityId: 'O1234567', catalog: 'Sandbox' });
    const { deps, events, outbox, recorder } = setup(deal);
    const review = (status: 'Action Required' | 'Submitted' | 'In review') =>
      pc.on(GetOpportunityCommand).resolves({
        ...stored,
        LifeCycle: {
          ...stored.LifeCycle,
          ReviewStatus: status,
          ...(status === 'Action Required' ? { ReviewComments: 'Add the website' } : {}),
        },
      });
    const updated = () =>
      syncAce(deps, {
        source: 'aws.partnercentral-selling',
        'detail-type': 'Opportunity Updated',
        detail: { catalog: 'Sandbox', opportunity: { identifier: 'O1234567' } },
      });

    // Act: Action Required, delivered twice; the partner resubmits; ACE asks again, for the same reason.
    review('Action Required');
    await updated();
    await updated();
    const once = outbox.sent.length;
    review('Submitted');
    await updated();
    review('In review');
    await updated();
    review('Action Required');
    const again = await updated();
    await updated();

    // Assess
    expect(once).toBe(1);
    expect(again).toEqual({ outcome: 'flagged', opportunityId: 'O1234567', stage: 'Action Required' });
    expect(outbox.sent.map((m) => m.subject)).toEqual([
      `[${deal.plan.name}] AWS Partner Central: Action Required`,
      `[${deal.plan.name}] AWS Partner Central: Action Required`,
    ]);
    expect(events.published.map((e) => e.detail.what)).toEqual([
      'AWS Partner Central review: Action Required',
      'AWS Partner Central review: Action Required',
    ]);
    expect(recorder.reviews.map((r) => [r.status, r.round])).toEqual([
      ['Action Required', 1],
      ['Submitted', 1],
      ['In review', 1],
      ['Action Required', 2],
    ]);
  });

  it('flags the deal once when ACE refuses the opportunity, instead of retrying for ever', async () => {
    // Prepare
    const deal = marketplaceDeal();
    const { deps, recorder, events } = setup(deal);
    pc.on(CreateOpportunityCommand).rejects(
      Object.assign(new Error('Customer.Account.Industry is required'), { name: 'ValidationException' }),
    );

    // Act
    const result = await syncAce(deps, {
      source: 'cosell.flow',
      'detail-type': 'CoSell Plan Started',
      detail: { planId: deal.planId },
    });

    // Assess
    expect(result).toEqual({
      outcome: 'skipped',
      why: 'ACE refused the opportunity: Customer.Account.Industry is required',
    });
    expect(recorder.flags[0]?.attention).toMatchObject({
      what: 'AWS Partner Central refused the opportunity',
      error: 'Customer.Account.Industry is required',
    });
    expect(events.published.map((e) => e.detailType)).toEqual(['CoSell Needs Attention']);
    expect(pc.commandCalls(AssociateOpportunityCommand)).toHaveLength(0);
  });

  it('maps how a deal ended onto ACE closed-lost reasons', () => {
    expect(closedLostReason('lost', 'Lost to Azure')).toBe('Lost to Competitor - Other');
    expect(closedLostReason('no-decision', undefined)).toBe('No Opportunity');
    expect(closedLostReason('withdrawn', '')).toBe('Delay / Cancellation of Project');
    expect(closedLostReason('lost', 'timing')).toBe('Other');
  });
});
