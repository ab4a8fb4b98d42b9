import { describe, expect, it } from 'vitest';
import type { Deal } from '../../../../lambdas/domain/deal';
import { NotFoundError } from '../../../../lambdas/domain/errors';
import { verifyViewLink } from '../../../../lambdas/domain/links';
import { DEAL_CLOSED_LOST, DEAL_REGISTERED } from '../../../../lambdas/domain/registration';
import { registerDeal } from '../../../../lambdas/domain/use-cases/register';
import { fakeDeps } from '../../../helpers/fakes';
import { dealAtStage, PEOPLE, PLAN_ID } from '../../../helpers/plan';

function closedDeal(result: 'won' | 'lost'): Deal {
  const { deal } = dealAtStage('close-register-review');
  return {
    ...deal,
    status: result,
    outcome: {
      result,
      finalArr: 96_000,
      currency: 'USD',
      lesson: 'x',
      at: '2027-02-25T18:00:00.000Z',
      by: PEOPLE.ana,
    },
  };
}

function seeded(deal: Deal) {
  const deps = fakeDeps();
  deps.clock.set('2027-02-26T12:00:00.000Z');
  deps.store.put({ deal, milestones: dealAtStage('close-register-review').milestones });
  return deps;
}

describe('registerDeal', () => {
  it('puts one registration event on the bus and stamps the deal registered', async () => {
    // Prepare
    const deps = seeded(closedDeal('won'));

    // Act
    const result = await registerDeal(deps, { planId: PLAN_ID, outcome: 'won' });

    // Assess
    expect(result).toEqual({ detailType: DEAL_REGISTERED, registrationId: `acme:${PLAN_ID}` });
    expect(deps.events.published).toHaveLength(1);
    expect(deps.events.published[0]).toMatchObject({
      detailType: DEAL_REGISTERED,
      detail: {
        registrationId: `acme:${PLAN_ID}`,
        outcome: 'won',
        attribution: 'sourced',
        arr: { amount: 96_000 },
      },
    });
    expect(deps.store.peek(PLAN_ID)?.deal.registeredAt).toBe('2027-02-26T12:00:00.000Z');
  });

  it("carries the vendor and partner owners' view links to the deal room, each bound to its owner", async () => {
    // Prepare
    const deps = seeded(closedDeal('won'));

    // Act
    await registerDeal(deps, { planId: PLAN_ID, outcome: 'won' });

    // Assess
    const links = deps.events.published[0]?.detail.links as { vendorRoom: string; partnerRoom: string };
    const now = deps.clock.now();
    const claimsOf = async (url: string) =>
      verifyViewLink(deps.config.tenant, url.slice(url.lastIndexOf('/') + 1), deps.keys, now);
    expect(links.vendorRoom).toMatch(/^https:\/\/links\.acme\.example\/room\//);
    expect(await claimsOf(links.vendorRoom)).toMatchObject({
      ok: true,
      claims: { planId: PLAN_ID, recipient: PEOPLE.ana },
    });
    expect(await claimsOf(links.partnerRoom)).toMatchObject({
      ok: true,
      claims: { planId: PLAN_ID, recipient: PEOPLE.dana },
    });
    expect(deps.events.published[0]?.detail.schemaVersion).toBe('1.2');
  });

  it('still registers, without links, when the link keys cannot be read', async () => {
    // Prepare
    const deps = seeded(closedDeal('lost'));
    deps.keys.current = async () => {
      throw new Error('secret unreadable');
    };
    const warnings: string[] = [];

    // Act
    const result = await registerDeal(deps, { planId: PLAN_ID, outcome: 'lost' }, (w) => warnings.push(w));

    // Assess
    expect(result.detailType).toBe(DEAL_CLOSED_LOST);
    expect(deps.events.published).toHaveLength(1);
    expect(deps.events.published[0]?.detail).not.toHaveProperty('links');
    expect(warnings).toEqual(['room links not signed for CoSell Deal Closed Lost: Error: secret unreadable']);
  });

  it('publishes nothing more when called a second time (a retried task or a duplicate delivery)', async () => {
    // Prepare
    const deps = seeded(closedDeal('won'));
    await registerDeal(deps, { planId: PLAN_ID, outcome: 'won' });
    const writes = deps.store.writes.length;
    deps.clock.set('2027-02-26T12:05:00.000Z');

    // Act
    const again = await registerDeal(deps, { planId: PLAN_ID, outcome: 'won' });

    // Assess
    expect(again.registrationId).toBe(`acme:${PLAN_ID}`);
    expect(deps.events.published).toHaveLength(1);
    expect(deps.store.writes).toHaveLength(writes);
    expect(deps.store.peek(PLAN_ID)?.deal.registeredAt).toBe('2027-02-26T12:00:00.000Z');
  });

  it('publishes again on a retry when the first publish failed', async () => {
    // Prepare
    const deps = seeded(closedDeal('won'));
    const publish = deps.events.publish.bind(deps.events);
    let fail = true;
    deps.events.publish = async (type, detail) => {
      if (fail) {
        fail = false;
        throw new Error('PutEvents throttled');
      }
      await publish(type, detail);
    };

    // Act
    await expect(registerDeal(deps, { planId: PLAN_ID, outcome: 'won' })).rejects.toThrow('throttled');
    await registerDeal(deps, { planId: PLAN_ID, outcome: 'won' });

    // Assess
    expect(deps.events.published).toHaveLength(1);
  });

  it('registers a lost deal with the closed-lost event', async () => {
    // Prepare
    const deps = seeded(closedDeal('lost'));

    // Act
    const result = await registerDeal(deps, { planId: PLAN_ID, outcome: 'lost' });

    // Assess
    expect(result.detailType).toBe(DEAL_CLOSED_LOST);
    expect(deps.events.published[0]?.detail).toMatchObject({ outcome: 'lost' });
  });

  it("closes a deal still marked active with the workflow's outcome", async () => {
    // Prepare
    const deps = seeded(dealAtStage('close-register-review').deal);

    // Act
    const result = await registerDeal(deps, { planId: PLAN_ID, outcome: 'lost' });

    // Assess
    expect(result.detailType).toBe(DEAL_CLOSED_LOST);
    expect(deps.store.peek(PLAN_ID)?.deal.status).toBe('lost');
  });

  it('says when there is no such plan', async () => {
    // Prepare
    const deps = fakeDeps();

    // Act / Assess
    await expect(registerDeal(deps, { planId: 'pl_missing', outcome: 'won' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect(deps.events.published).toEqual([]);
  });
});
