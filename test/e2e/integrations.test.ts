import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  escapeRegExp,
  fetchPage,
  getJson,
  type LocalStackProcess,
  matching,
  outbox,
  postBody,
  referencePlanVariant,
  removeStateDir,
  startStack,
  stopAndAssertClean,
  waitFor,
} from './helpers/local-stack';
import { PEOPLE, ReferenceDeal } from './helpers/reference-deal';

// One local stack with a tenant file naming four channels (Slack- and webhook-shaped, internal and shared
// with the partner) and ACE on the Sandbox catalog. Each test drives its own deal.

interface Received {
  name: string;
  receivedAt: string;
  headers: Record<string, string>;
  body: { text?: string; planId?: string; registrationId?: string; [k: string]: unknown };
}
interface AceOpportunity {
  Id: string;
  PartnerOpportunityIdentifier: string;
  LifeCycle: { Stage: string; ClosedLostReason?: string; NextSteps?: string };
  RelatedEntityIdentifiers: { Solutions: string[] };
}

const PARTNER = 'Northwind Integrators';
const ACE_BLOCK = `
ace:
  industry: Software and Internet
  countryCode: US
  postalCode: "10001"
  customerBusinessProblem: Globex must replace its legacy MES before the support contract ends.
`;

let stack: LocalStackProcess;
let tenantDir: string;

beforeAll(async () => {
  tenantDir = mkdtempSync(join(tmpdir(), 'cosell-tenant-'));
  const tenantFile = join(tenantDir, 'local.json');
  writeFileSync(
    tenantFile,
    JSON.stringify({
      channels: [
        { name: 'deals', kind: 'slack', secretName: 'local/deals', url: '/_local/webhooks/deals' },
        { name: 'crm', kind: 'webhook', secretName: 'local/crm', url: '/_local/webhooks/crm' },
        {
          name: 'northwind',
          kind: 'webhook',
          secretName: 'local/northwind',
          partner: PARTNER.toUpperCase(),
          url: '/_local/webhooks/northwind',
        },
        {
          name: 'northwind-chat',
          kind: 'slack',
          secretName: 'local/northwind-chat',
          partner: PARTNER,
          url: '/_local/webhooks/northwind-chat',
        },
      ],
      ace: { catalog: 'Sandbox', solutionId: 'S-0000001', onlyPaper: ['marketplace'] },
    }),
  );
  stack = await startStack({ env: { COSELL_TENANT_FILE: tenantFile } });
});

afterAll(async () => {
  if (!stack) return;
  const dead = (await getJson(`${stack.url}/_local/dead-letters`).catch(() => ({ body: 'n/a' }))).body;
  if (JSON.stringify(dead) !== '[]')
    console.log('dead letters:', JSON.stringify(dead), stack.output().slice(-4000));
  try {
    if (!stack.exited) await stopAndAssertClean(stack);
  } finally {
    removeStateDir(stack.stateDir);
    removeStateDir(tenantDir);
  }
});

const webhooks = async () => (await getJson<Received[]>(`${stack.url}/_local/webhooks`)).body;
const ace = async () => (await getJson<AceOpportunity[]>(`${stack.url}/_local/ace`)).body;
const aceOf = async (planId: string) =>
  (await ace()).filter((o) => o.PartnerOpportunityIdentifier === planId);

async function dealWithAce(name: string): Promise<ReferenceDeal> {
  const yaml = `${await referencePlanVariant(stack.url, name)}${ACE_BLOCK}`;
  return ReferenceDeal.create(stack.url, yaml, name);
}

describe('channels and ACE on the local stack', () => {
  it('posts each moment of a won deal once to Slack- and webhook-shaped receivers, and syncs one ACE opportunity', async () => {
    const deal = await dealWithAce('Globex integrations win');
    // Created, then associated with the tenant's solution.
    const opportunity = await waitFor('the ACE opportunity', async () =>
      (await aceOf(deal.planId)).find((o) => o.RelatedEntityIdentifiers.Solutions.length > 0),
    );
    expect(opportunity.LifeCycle.Stage).toBe('Prospect');
    expect(opportunity.RelatedEntityIdentifiers.Solutions).toEqual(['S-0000001']);

    // The CRM receiver fails its next post: EventBridge's retry (the local bus's) lands it once.
    expect(
      (
        await postBody(
          `${stack.url}/_local/webhook-faults`,
          JSON.stringify({ name: 'crm', fail: 1 }),
          'application/json',
        )
      ).status,
    ).toBe(200);

    await deal.passStage1();
    await deal.passStage2();
    await deal.passStage3();
    await deal.passStage4();
    await deal.finishStage5Milestones();
    await deal.confirm(PEOPLE.ana, 5, {
      outcome: 'won',
      finalArr: '95000',
      lesson: 'Lead with the partner.',
    });
    await deal.waitForStatus('won');

    const slack = await waitFor('five Slack messages', async () => {
      const got = (await webhooks()).filter((w) => w.name === 'deals' && w.body.text?.includes(deal.name));
      return got.filter((w) => /Stage passed|Won and registered/.test(w.body.text ?? '')).length >= 5
        ? got
        : undefined;
    });
    const crm = await waitFor('five CRM posts', async () => {
      const got = (await webhooks()).filter((w) => w.name === 'crm' && w.body.planId === deal.planId);
      return got.length >= 5 ? got : undefined;
    });
    // Once each: four stage passes and the registration, nothing twice (the failed post is not recorded).
    const moments = slack
      .map((w) => w.body.text?.split('\n')[0])
      .filter((t) => /Stage passed|Won/.test(t ?? ''));
    expect(new Set(moments).size).toBe(moments.length);
    expect(moments).toHaveLength(5);
    expect(new Set(crm.map((w) => JSON.stringify(w.body))).size).toBe(crm.length);
    expect(crm.filter((w) => w.body.registrationId).length).toBe(1);
    expect(crm.every((w) => w.headers['x-api-key'] === 'local')).toBe(true);
    // The refused post was retried: one refusal, and every moment still arrived exactly once.
    const faults = (await getJson<{ refused: Record<string, number> }>(`${stack.url}/_local/webhook-faults`))
      .body;
    expect(faults.refused.crm).toBe(1);

    // A Slack message names the deal, partner, account and stage, and says what happened.
    const first = slack.find((w) => w.body.text?.includes('Stage passed: target-account-selection'));
    expect(first?.body.text).toContain(
      `*${deal.name}*: Stage passed: target-account-selection → door-opener`,
    );
    expect(first?.body.text).toContain(
      `Partner: ${PARTNER} · Account: Globex Corporation · Stage: door-opener`,
    );
    expect(first?.body.text).toMatch(/<http:\/\/127\.0\.0\.1:\d+\/room\/[^|]+\|Open the deal room>$/);
    console.log(`e2e integrations: a Slack message as posted:\n${JSON.stringify(first?.body, null, 2)}`);

    // The registration reaches the internal CRM whole, the partner's channels without the economic split.
    const internal = crm.find((w) => w.body.registrationId);
    expect(internal?.body.economicSplit).toBeDefined();
    const shared = await waitFor('the partner webhook registration', async () =>
      (await webhooks()).find(
        (w) => w.name === 'northwind' && w.body.planId === deal.planId && w.body.registrationId,
      ),
    );
    expect(shared.body).not.toHaveProperty('economicSplit');
    expect(JSON.stringify(shared.body)).not.toMatch(/partnerFeePercent|economicSplit/);
    const sharedChat = (await webhooks()).filter(
      (w) => w.name === 'northwind-chat' && w.body.text?.includes(deal.name),
    );
    expect(sharedChat.length).toBeGreaterThanOrEqual(5);
    expect(JSON.stringify(sharedChat)).not.toMatch(/partnerFeePercent|economicSplit|recognizes/);

    // The registration's messages link the room too: the vendor owner's in the internal channel, the partner
    // owner's in the partner-shared one (register-deal signs both into the event).
    const roomIn = (w: Received | undefined) =>
      /<(http:\/\/127\.0\.0\.1:\d+\/room\/[^|]+)\|Open the deal room>/.exec(w?.body.text ?? '')?.[1];
    const internalWon = roomIn(slack.find((w) => w.body.text?.includes('Won and registered')));
    const sharedWon = roomIn(sharedChat.find((w) => w.body.text?.includes('Won and registered')));
    for (const [url, owner] of [
      [internalWon, 'Ana Ruiz'],
      [sharedWon, 'Dana Whit'],
    ] as const) {
      expect(url, `the registration message's room link for ${owner}`).toBeDefined();
      const room = await fetchPage(url as string);
      expect(room.status).toBe(200);
      expect(room.text).toContain(`Your next steps, ${owner}`);
    }

    // One ACE opportunity, moved along the lifecycle and launched.
    const launched = await waitFor('the ACE opportunity launched', async () => {
      const found = await aceOf(deal.planId);
      return found[0]?.LifeCycle.Stage === 'Launched' ? found : undefined;
    });
    expect(launched).toHaveLength(1);
    const view = (await getJson<{ ace?: { opportunityId: string } }>(`${stack.url}/plans/${deal.planId}`))
      .body;
    expect(view.ace).toEqual({ opportunityId: launched[0]?.Id, catalog: 'Sandbox' });
    expect((await getJson<unknown[]>(`${stack.url}/_local/dead-letters`)).body).toEqual([]);
  });

  it('closes the ACE opportunity of a marketplace deal closed lost at stage 3 as Closed Lost', async () => {
    const deal = await dealWithAce('Globex integrations loss');
    await waitFor('the ACE opportunity', async () => (await aceOf(deal.planId))[0]);
    await deal.passStage1();
    await deal.passStage2();
    await deal.waitForOpen(3);
    const closed = await fetch(`${stack.url}/plans/${deal.planId}/close`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ outcome: 'lost', reason: 'Budget went to a competitor.' }),
    });
    expect(closed.status, await closed.clone().text()).toBe(200);

    const [opportunity] = await waitFor('Closed Lost in ACE', async () => {
      const found = await aceOf(deal.planId);
      return found[0]?.LifeCycle.Stage === 'Closed Lost' ? found : undefined;
    });
    expect(opportunity?.LifeCycle).toMatchObject({
      Stage: 'Closed Lost',
      ClosedLostReason: 'Price',
      NextSteps: 'Closed lost at stage 3: Budget went to a competitor.',
    });
    const lost = await waitFor('the Slack loss message', async () =>
      (await webhooks()).find(
        (w) => w.name === 'deals' && w.body.text?.includes(`*${deal.name}*: Closed lost`),
      ),
    );
    expect(lost.body.text).toContain('Stage: joint-discovery');
  });

  it("flags the deal and tells the vendor's channel when ACE's review asks for action", async () => {
    const deal = await dealWithAce('Globex integrations review');
    const opportunity = await waitFor('the ACE opportunity', async () => (await aceOf(deal.planId))[0]);
    const reviewed = await postBody(
      `${stack.url}/_local/ace/review`,
      JSON.stringify({
        id: opportunity.Id,
        status: 'Action Required',
        comments: 'Add the customer website.',
      }),
      'application/json',
    );
    expect(reviewed.status, JSON.stringify(reviewed.body)).toBe(200);

    const view = await waitFor('needsAttention on the deal', async () => {
      const body = (
        await getJson<{ needsAttention?: { what: string; error: string } }>(
          `${stack.url}/plans/${deal.planId}`,
        )
      ).body;
      return body.needsAttention ? body : undefined;
    });
    expect(view.needsAttention).toMatchObject({
      what: 'AWS Partner Central review: Action Required',
      error: 'Add the customer website.',
    });
    const told = await waitFor('the needs-attention message', async () =>
      (await webhooks()).find(
        (w) => w.name === 'deals' && w.body.text?.includes(`*${deal.name}*: Needs attention`),
      ),
    );
    expect(told.body.text).toContain('AWS Partner Central review: Action Required Add the customer website.');

    // The vendor owner is emailed once: what ACE said, what to do, and their room link.
    const subject = new RegExp(`^${escapeRegExp(`[${deal.name}] AWS Partner Central: Action Required`)}$`);
    const [email] = await waitFor('the review email to the vendor owner', async () => {
      const got = matching(await outbox(stack.url), { to: PEOPLE.ana, subject });
      return got.length ? got : undefined;
    });
    expect(email?.text).toContain('Add the customer website.');
    expect(email?.text).toContain(`Open opportunity ${opportunity.Id} in AWS Partner Central`);
    const room = /See the whole deal \([^)]*\): (\S+\/room\/\S+)/.exec(email?.text ?? '')?.[1];
    expect(room, 'a room link in the review email').toBeDefined();
    expect((await fetchPage(room as string)).text).toContain('Your next steps, Ana Ruiz');
    // The record changes again with the same review (another Opportunity Updated): no second email. A new
    // review status is a change: one email more.
    const review = (status: string, comments: string) =>
      postBody(
        `${stack.url}/_local/ace/review`,
        JSON.stringify({ id: opportunity.Id, status, comments }),
        'application/json',
      );
    expect((await review('Action Required', 'Add the customer website.')).status).toBe(200);
    expect((await review('Rejected', 'Not a co-sell fit.')).status).toBe(200);
    const rejected = new RegExp(`^${escapeRegExp(`[${deal.name}] AWS Partner Central: Rejected`)}$`);
    await waitFor('the rejection email', async () => {
      const got = matching(await outbox(stack.url), { to: PEOPLE.ana, subject: rejected });
      return got.length ? got : undefined;
    });
    expect(matching(await outbox(stack.url), { to: PEOPLE.ana, subject })).toHaveLength(1);
    expect(matching(await outbox(stack.url), { to: PEOPLE.ana, subject: rejected })).toHaveLength(1);
  });
});
