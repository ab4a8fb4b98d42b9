import { describe, expect, it } from 'vitest';
import { checkLinkTarget } from '../../../lambdas/domain/actions';
import { stageDeadline } from '../../../lambdas/domain/deal';
import { linkTarget, parseLinkTarget } from '../../../lambdas/domain/link-targets';
import type { LinkClaims } from '../../../lambdas/domain/links';
import { amendDeal, newAsks } from '../../../lambdas/domain/plan-amend';
import { closeDeal } from '../../../lambdas/domain/plan-close';
import { diffPlan } from '../../../lambdas/domain/plan-diff';
import { inLastDaysOfQuarter, planWarnings } from '../../../lambdas/domain/plan-warnings';
import type { Plan } from '../../../lambdas/schemas/plan.schema';
import { planSchema } from '../../../lambdas/schemas/plan.schema';
import { DEFAULT_TZ, dealAtStage, PEOPLE, planWith, referencePlan } from '../../helpers/plan';

const NOW = new Date('2026-12-02T15:00:00Z');
const ctx = { now: NOW, by: 'ops', defaultTimezone: DEFAULT_TZ };
const RAJ = 'raj.mehta@northwind.example';

function edited(edit: (p: Plan) => void): Plan {
  const plan = structuredClone(referencePlan());
  edit(plan);
  return plan;
}

const paths = (xs: { path: string }[]) => xs.map((x) => x.path);

describe('diffPlan: the change list', () => {
  it('is empty for the same plan', () => {
    const { deal, milestones } = dealAtStage('door-opener');
    expect(diffPlan(deal, milestones, referencePlan())).toEqual({ changes: [], problems: [] });
  });

  it('lists added, removed and changed milestones and owners by path', () => {
    const { deal, milestones } = dealAtStage('door-opener');
    const next = edited((p) => {
      const stage = p.stages['door-opener'];
      stage.milestones[0] = {
        ...(stage.milestones[0] as Plan['stages']['door-opener']['milestones'][0]),
        owner: RAJ,
      };
      stage.milestones.push({ id: 'intro-brief', title: 'Brief Raj', owner: 'vendor', due: '2026-12-10' });
      p.stages['joint-discovery'].milestones.pop();
      p.owners.customer = { name: 'Pat Lee', email: 'pat.lee@globex.example' };
      p.risks = ['One', 'Two', 'Three'];
    });
    const { changes, problems } = diffPlan(deal, milestones, next);
    expect(problems).toEqual([]);
    expect(changes).toContainEqual({
      path: 'stages.door-opener.milestones.warm-intro.owner',
      change: 'changed',
      from: 'partner',
      to: RAJ,
    });
    expect(changes.map((c) => `${c.change} ${c.path}`)).toEqual(
      expect.arrayContaining([
        'added stages.door-opener.milestones.intro-brief',
        'removed stages.joint-discovery.milestones.account-brief',
        'changed owners.customer.name',
        'changed owners.customer.email',
        'changed risks',
      ]),
    );
  });

  it('allows confirmedBy and deadline changes of a stage that has not passed', () => {
    const { deal, milestones } = dealAtStage('door-opener');
    const next = edited((p) => {
      p.stages['joint-discovery'].confirmedBy = ['vendor'];
      p.stages['door-opener'].deadline = '2026-12-20';
    });
    const { changes, problems } = diffPlan(deal, milestones, next);
    expect(problems).toEqual([]);
    expect(paths(changes)).toEqual(['stages.door-opener.deadline', 'stages.joint-discovery.confirmedBy']);
  });
});

describe('diffPlan: refused changes', () => {
  it('refuses a new partner name', () => {
    const { deal, milestones } = dealAtStage('door-opener');
    const next = edited((p) => {
      p.partner.name = 'Contoso';
    });
    expect(paths(diffPlan(deal, milestones, next).problems)).toEqual(['partner.name']);
  });

  it('refuses attribution once stage 1 has passed, and allows it before', () => {
    const next = edited((p) => {
      p.attribution = 'influenced';
    });
    const later = dealAtStage('door-opener');
    expect(paths(diffPlan(later.deal, later.milestones, next).problems)).toEqual(['attribution']);
    const early = dealAtStage('target-account-selection');
    expect(diffPlan(early.deal, early.milestones, next).problems).toEqual([]);
  });

  it('refuses changing or removing a done milestone', () => {
    const { deal, milestones } = dealAtStage('door-opener');
    const done = milestones.map((m) =>
      m.milestoneId === 'warm-intro'
        ? { ...m, status: 'done' as const, doneBy: PEOPLE.dana, doneAt: 'x' }
        : m,
    );
    const retitled = edited((p) => {
      (p.stages['door-opener'].milestones[0] as { title: string }).title = 'Another';
    });
    expect(paths(diffPlan(deal, done, retitled).problems)).toEqual([
      'stages.door-opener.milestones.warm-intro',
    ]);
    const removed = edited((p) => {
      p.stages['door-opener'].milestones = [];
    });
    expect(diffPlan(deal, done, removed).problems[0]?.message).toMatch(/done milestone cannot be removed/);
  });

  it('refuses adding work to, or changing, a stage that has passed', () => {
    const { deal, milestones } = dealAtStage('door-opener');
    const added = edited((p) => {
      p.stages['target-account-selection'].milestones.push({
        id: 'late',
        title: 'Late work',
        owner: 'vendor',
        due: '2026-12-05',
      });
    });
    const problems = diffPlan(deal, milestones, added).problems;
    expect(paths(problems)).toContain('stages.target-account-selection.milestones.late');
    expect(problems[0]?.message).toMatch(/has passed: an amendment cannot add work to it/);
    const confirmed = edited((p) => {
      p.stages['target-account-selection'].confirmedBy = ['vendor'];
    });
    expect(paths(diffPlan(deal, milestones, confirmed).problems)).toEqual([
      'stages.target-account-selection.confirmedBy',
    ]);
  });

  it('refuses moving a milestone to another stage (stages keep their work and order)', () => {
    const { deal, milestones } = dealAtStage('door-opener');
    const moved = edited((p) => {
      const m = p.stages['joint-discovery'].milestones.pop();
      if (m) p.stages['joint-pursuit-and-proof'].milestones.push(m);
    });
    expect(diffPlan(deal, milestones, moved).problems[0]?.message).toMatch(/stays in its stage/);
  });

  it('refuses any change to a closed deal', () => {
    const { deal, milestones } = dealAtStage('door-opener');
    const closed = closeDeal(deal, milestones, { outcome: 'lost', reason: 'gone' }, { now: NOW, by: 'ops' });
    const next = edited((p) => {
      p.risks = ['a', 'b', 'c'];
    });
    expect(paths(diffPlan(closed.deal, milestones, next).problems)).toEqual(['(deal)']);
  });
});

describe('amendDeal', () => {
  it('reassigns open work, supersedes the old links and keeps progress', () => {
    const { deal, milestones } = dealAtStage('door-opener');
    const next = edited((p) => {
      (p.stages['door-opener'].milestones[0] as { owner: string }).owner = RAJ;
    });
    const amended = amendDeal(deal, milestones, next, ctx);
    if (!amended.ok) throw new Error('refused');
    expect(amended.deal.planVersion).toBe(2);
    expect(amended.deal.stages['target-account-selection']).toEqual(deal.stages['target-account-selection']);
    const warm = amended.all.find((m) => m.milestoneId === 'warm-intro');
    expect(warm?.owner.email).toBe(RAJ);
    expect(linkTarget(amended.deal, 'warm-intro')).toBe('warm-intro@1');
    const old: LinkClaims = {
      kid: 'k',
      planId: deal.planId,
      action: 'milestone-done',
      target: 'warm-intro',
      recipient: PEOPLE.dana,
      exp: 0,
      nonce: 'n',
    };
    const check = checkLinkTarget(old, amended.deal, amended.all);
    expect(check).toMatchObject({ ok: false, reason: 'superseded' });
    const current = { ...old, recipient: RAJ, target: 'warm-intro@1' };
    expect(checkLinkTarget(current, amended.deal, amended.all).ok).toBe(true);
    // Raj gets links, Ana a new waive link for it; Dana keeps only her confirm link and gets nothing new.
    const asks = newAsks({ deal, milestones }, { deal: amended.deal, milestones: amended.all }, DEFAULT_TZ);
    expect(asks.map((a) => a.recipient.email)).toEqual([RAJ, PEOPLE.ana]);
  });

  it('passes the gate when the change leaves it nothing to wait for', () => {
    const { deal, milestones } = dealAtStage('target-account-selection');
    const confirmed = {
      ...deal,
      stages: {
        ...deal.stages,
        'target-account-selection': {
          ...deal.stages['target-account-selection'],
          confirmations: [
            { party: 'vendor' as const, by: PEOPLE.ana, at: 'x', evidence: {} },
            { party: 'partner' as const, by: PEOPLE.dana, at: 'x', evidence: {} },
          ],
        },
      },
    };
    const next = edited((p) => {
      p.stages['target-account-selection'].milestones = [];
    });
    const amended = amendDeal(confirmed, milestones, next, ctx);
    if (!amended.ok) throw new Error('refused');
    expect(amended.passed).toEqual({ stage: 'target-account-selection', outcome: 'passed' });
    expect(amended.deal.stage).toBe('door-opener');
    const removed = amended.milestones.find((m) => m.milestoneId === 'fit-check');
    expect(removed).toMatchObject({ status: 'waived', removed: { version: 2 } });
    expect(removed?.nudgeAt).toBeUndefined();
  });

  it('keeps the economic split, attribution and ladders out of the note a superseded link shows', () => {
    const { deal, milestones } = dealAtStage('target-account-selection');
    const next = edited((p) => {
      p.economicSplit.partnerFeePercent = 37;
      p.attribution = 'influenced';
      (p.escalation.partner[0] as { phone?: string }).phone = '+1 312 555 0199';
      (p.stages['target-account-selection'].milestones[0] as { title: string }).title = 'Fit check, again';
    });
    const amended = amendDeal(deal, milestones, next, ctx);
    if (!amended.ok) throw new Error('refused');
    expect(paths(amended.changes)).toEqual(
      expect.arrayContaining(['attribution', 'economicSplit.partnerFeePercent', 'escalation.partner']),
    );
    const target = amended.all.find((m) => m.milestoneId === 'fit-check');
    const old: LinkClaims = {
      kid: 'k',
      planId: deal.planId,
      action: 'milestone-done',
      target: 'fit-check',
      recipient: target?.owner.email ?? '',
      exp: 0,
      nonce: 'n',
    };
    const check = checkLinkTarget(old, amended.deal, amended.all);
    expect(check).toMatchObject({ ok: false, reason: 'superseded' });
    const message = check.ok ? '' : check.message;
    expect(message).toMatch(/Fit check, again/);
    expect(message).not.toMatch(/economicSplit|partnerFee|37|attribution|influenced|escalation|0199/);
  });

  it('brings the next look at open work forward when the reminders lead time grows', () => {
    const { deal, milestones } = dealAtStage('door-opener');
    const next = edited((p) => {
      p.reminders.leadDays = 7;
    });
    const amended = amendDeal(deal, milestones, next, ctx);
    if (!amended.ok) throw new Error('refused');
    const before = milestones.find((m) => m.milestoneId === 'warm-intro');
    const after = amended.all.find((m) => m.milestoneId === 'warm-intro');
    expect(after?.nudgeAt).toBe(new Date(Date.parse(before?.dueAt ?? '') - 7 * 86_400_000).toISOString());
    expect(amended.milestones.map((m) => m.milestoneId)).toContain('warm-intro');
    // A shorter lead time never puts off a look already planned (an overdue notice, a handoff).
    const shorter = amendDeal(
      deal,
      milestones,
      edited((p) => {
        p.reminders.leadDays = 0;
      }),
      ctx,
    );
    if (!shorter.ok) throw new Error('refused');
    expect(shorter.all.find((m) => m.milestoneId === 'warm-intro')?.nudgeAt).toBe(before?.nudgeAt);
  });

  it('takes removed work out of the stage deadline', () => {
    const { deal, milestones } = dealAtStage('joint-discovery');
    const next = edited((p) => {
      p.stages['joint-discovery'].milestones.pop(); // account-brief, due 2027-01-08
    });
    const amended = amendDeal(deal, milestones, next, ctx);
    if (!amended.ok) throw new Error('refused');
    const deadline = stageDeadline(amended.deal, amended.all, 'joint-discovery', DEFAULT_TZ);
    expect(deadline.toISOString().slice(0, 10)).toBe('2026-12-18');
  });

  it('stores a change to the ace block (it is listed, not dropped)', () => {
    const { deal, milestones } = dealAtStage('door-opener');
    const next = edited((p) => {
      p.ace = {
        industry: 'Software and Internet',
        countryCode: 'DE',
        customerBusinessProblem: 'Globex needs to consolidate its data platforms.',
        deliveryModels: ['SaaS or PaaS'],
        primaryNeeds: ['Co-Sell - Deal Support'],
        opportunityType: 'Net New Business',
      };
    });
    const diff = diffPlan(deal, milestones, next);
    expect(diff.problems).toEqual([]);
    expect(paths(diff.changes)).toEqual(['ace']);
  });

  it('returns the problems and changes nothing when refused', () => {
    const { deal, milestones } = dealAtStage('door-opener');
    const next = edited((p) => {
      p.partner.name = 'Contoso';
    });
    expect(amendDeal(deal, milestones, next, ctx)).toMatchObject({ ok: false });
  });
});

describe('link targets', () => {
  it('keep revision 0 bare and parse revisions back', () => {
    expect(linkTarget({}, 'fit-check')).toBe('fit-check');
    expect(parseLinkTarget('fit-check@3')).toEqual({ target: 'fit-check', revision: 3 });
    expect(parseLinkTarget('door-opener')).toEqual({ target: 'door-opener', revision: 0 });
  });
});

describe('closeDeal', () => {
  it('closes at the current stage and leaves nothing for the sweep or the review', () => {
    const { deal, milestones } = dealAtStage('joint-discovery');
    const closed = closeDeal(
      { ...deal, nextReviewAt: '2026-12-07T15:30:00.000Z' },
      milestones,
      { outcome: 'no-decision', reason: 'Budget frozen' },
      { now: NOW, by: 'ops' },
    );
    expect(closed.deal).toMatchObject({
      status: 'lost',
      stage: 'joint-discovery',
      closed: { outcome: 'no-decision', reason: 'Budget frozen', stage: 'joint-discovery' },
      outcome: { result: 'lost' },
    });
    expect(closed.deal.nextReviewAt).toBeUndefined();
    expect(closed.milestones.every((m) => m.nudgeAt === undefined)).toBe(true);
  });
});

describe('planWarnings', () => {
  it('gives none for the reference plan', () => {
    expect(planWarnings(referencePlan())).toEqual([]);
  });

  const warned = (edit: (p: Plan) => void) => paths(planWarnings(planWith(edit)));

  it('warns when there is no customer sponsor', () => {
    expect(warned((p) => delete p.owners.customer)).toContain('owners.customer');
  });
  it('warns when stage 1 is not confirmed by both vendor and partner', () => {
    expect(warned((p) => (p.stages['target-account-selection'].confirmedBy = ['vendor']))).toContain(
      'stages.target-account-selection.confirmedBy',
    );
  });
  it('warns when stage 4 is not confirmed by the customer', () => {
    expect(warned((p) => (p.stages['joint-pursuit-and-proof'].confirmedBy = ['vendor']))).toContain(
      'stages.joint-pursuit-and-proof.confirmedBy',
    );
  });
  it('warns when the partner owns no milestone', () => {
    const noPartner = warned((p) => {
      for (const s of Object.values(p.stages)) {
        s.milestones = s.milestones.map((m) =>
          m.owner === 'partner' ? { ...m, owner: 'vendor', handoff: undefined } : m,
        ) as typeof s.milestones;
      }
    });
    expect(noPartner).toContain('stages');
  });
  it('warns when fewer than two risks are named', () => {
    expect(warned((p) => (p.risks = ['One']))).toContain('risks');
  });
  it("warns when a stage's milestones fall out of stage order", () => {
    expect(
      warned((p) => {
        (p.stages['joint-discovery'].milestones[0] as { due: string }).due = '2026-12-01';
      }),
    ).toContain('stages.joint-discovery.milestones[0].due');
  });
  it('warns when a stage has no milestones', () => {
    expect(warned((p) => (p.stages['door-opener'].milestones = []))).toContain(
      'stages.door-opener.milestones',
    );
  });
  it('warns when the close date is in the last three days of a quarter', () => {
    expect(warned((p) => (p.jointOutcome.closeDate = '2027-03-30'))).toContain('jointOutcome.closeDate');
    expect(inLastDaysOfQuarter('2027-03-29', 3)).toBe(true);
    expect(inLastDaysOfQuarter('2027-03-28', 3)).toBe(false);
    expect(inLastDaysOfQuarter('2027-02-27', 3)).toBe(false);
  });
});

describe('the plan id', () => {
  it('is optional, and a lower-case slug of 3 to 63 characters when present', () => {
    expect(planSchema.safeParse(referencePlan()).success).toBe(true);
    expect(planSchema.safeParse({ ...referencePlan(), id: 'globex-2027' }).success).toBe(true);
    expect(planSchema.safeParse({ ...referencePlan(), id: 'Globex' }).success).toBe(false);
    expect(planSchema.safeParse({ ...referencePlan(), id: 'ab' }).success).toBe(false);
  });
});
