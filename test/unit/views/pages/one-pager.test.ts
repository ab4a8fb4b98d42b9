import { describe, expect, it } from 'vitest';
import { replan } from '../../../../lambdas/domain/actions';
import type { MilestoneState } from '../../../../lambdas/domain/deal';
import type { DealSnapshot } from '../../../../lambdas/domain/ports';
import { originalCloseDate } from '../../../../lambdas/domain/slips';
import { ONE_PAGER_HEADERS, renderOnePager } from '../../../../lambdas/views/pages/one-pager';
import { PRINT_PAGE_HEADERS } from '../../../../lambdas/views/pages/print-layout';
import { dealAtStage, milestoneOf, PEOPLE, planWith } from '../../../helpers/plan';

const NOW = new Date('2026-12-09T15:00:00Z');

/** The reference deal in stage 2, with warm-intro slipped a week (everything after it moves too). */
function slipped(): DealSnapshot {
  const snapshot = dealAtStage('door-opener');
  const out = replan(
    snapshot.deal,
    snapshot.milestones,
    milestoneOf(snapshot, 'warm-intro'),
    '2026-12-18',
    new Date('2026-12-08T10:00:00Z'),
    PEOPLE.dana,
    'Lee is travelling',
  );
  const merged: MilestoneState[] = snapshot.milestones.map(
    (m) => out.milestones.find((c) => c.milestoneId === m.milestoneId) ?? m,
  );
  return { deal: out.deal, milestones: merged };
}

describe('renderOnePager', () => {
  const html = renderOnePager(slipped(), NOW);

  it('has the seven sections, in order', () => {
    const headings = [...html.matchAll(/<h2 id="s\d">([^<]+)<\/h2>/g)].map((m) => m[1]);
    expect(headings).toEqual([
      '1. Shared account context',
      '2. Joint outcome',
      '3. Named owners',
      '4. Joint sequence',
      '5. Risks and watch-outs',
      '6. Economic split',
      '7. Escalation paths',
    ]);
    expect(html).toContain('<h1>Globex platform migration</h1>');
    expect(html).toContain('Mid-market manufacturer replacing a legacy MES');
    expect(html).toContain('$80,000 to $120,000');
    expect(html).toContain('Dana Whit');
    expect(html).toContain('Competing bid from the incumbent');
    expect(html).toContain('20% of first-year ARR');
    expect(html).toContain('Kim Lau, VP Sales (kim.lau@vendor.example) after 72 h');
  });

  it('says where the deal stands and marks the current stage', () => {
    // stage 2 opened 2026-12-01 (dealAtStage), now 2026-12-09
    expect(html).toContain('Stage 2 of 5, Door-opener move: open 8 day(s)');
    expect(html).toMatch(/<li class="current" aria-current="step"><strong>Door-opener move<\/strong>/);
  });

  it('shows each slip: the original date struck through, then the new one', () => {
    const struck = (from: string, to: string) =>
      `<del><span class="sr">originally </span>${from}</del> → <ins><span class="sr">now </span>${to}</ins>`;
    // the slipped milestone, with who and why
    expect(html).toContain(
      `<td class="date">${struck('2026-12-11', '2026-12-18')}</td><td>Warm introduction to Lee Park</td>`,
    );
    expect(html).toContain(
      `slipped ${struck('2026-12-11', '2026-12-18')} (+7 days, ${PEOPLE.dana}: Lee is travelling)`,
    );
    // a later milestone moved with it
    expect(html).toContain(
      `<td class="date">${struck('2027-01-08', '2027-01-15')}</td><td>Write the shared account brief</td>`,
    );
    expect(html).toContain('moved with an earlier slip');
    // a milestone already done keeps its date
    expect(html).toContain(
      '<td class="date">2026-12-04</td><td>Confirm Globex fits both ideal customer profiles</td>',
    );
    // and the close date moved a week
    expect(html).toContain(`<dt>Close date</dt><dd>${struck('2027-02-26', '2027-03-05')}</dd>`);
  });

  it('lists the milestones in the joint sequence order, with owners and handoffs', () => {
    const titles = [...html.matchAll(/<\/td><td>([^<]+)<\/td><td>\d<\/td>/g)].map((m) => m[1]);
    expect(titles).toEqual([
      'Confirm Globex fits both ideal customer profiles',
      'Warm introduction to Lee Park',
      'Joint discovery call',
      'Write the shared account brief',
      'Partner completes the security questionnaire',
      'Enterprise pricing approval',
      'Combined proof of concept signed off',
      'Globex procurement sign-off',
      'Thirty-minute joint debrief',
    ]);
    expect(html).toContain('handoff customer → partner');
  });

  it('escapes every value from the plan and has no script', () => {
    const plan = planWith((p) => {
      p.name = '<script>alert(1)</script>';
      p.account.context = '"><img src=x onerror=alert(2)>';
      p.risks = ['</li><iframe>'];
      p.partner = { name: 'A & B', reference: "O'Neil" };
    });
    const page = renderOnePager(dealAtStage('joint-discovery', undefined, plan), NOW);
    expect(page).not.toMatch(/<script|<img|<iframe/i);
    expect(page).toContain('<h1>&#60;script&#62;alert(1)&#60;/script&#62;</h1>');
    expect(page).toContain('&#34;&#62;&#60;img src=x onerror=alert(2)&#62;');
    expect(page).toContain('A &#38; B (ref. O&#39;Neil)');
    expect(page).not.toMatch(/\sstyle=/i);
    expect(page).not.toMatch(/<[a-z][^>]*\s(src|href|style)=/i);
  });

  it('shows the outcome of a closed deal', () => {
    const { deal, milestones } = dealAtStage('close-register-review');
    const won = {
      deal: {
        ...deal,
        status: 'won' as const,
        outcome: {
          result: 'won' as const,
          finalArr: 95_000,
          currency: 'USD',
          lesson: 'Start security early.',
          at: '2027-02-26T18:00:00.000Z',
          by: PEOPLE.ana,
        },
      },
      milestones,
    };
    const page = renderOnePager(won, NOW);
    expect(page).toContain('Won: $95,000 ARR, 2027-02-26');
    expect(page).toContain('Lesson: Start security early.');
    expect(page).not.toContain('aria-current');
  });

  it('is printable with the strict page headers', () => {
    expect(ONE_PAGER_HEADERS).toBe(PRINT_PAGE_HEADERS);
    expect(ONE_PAGER_HEADERS['content-security-policy']).toMatch(/^default-src 'none'; style-src 'sha256-/);
    expect(html).toContain('@media print');
    expect(html).toContain('@page{size:A4');
  });
});

describe('originalCloseDate', () => {
  const slip = (from: string, to: string, at: string) => ({ from, to, at, by: 'x' });
  const ms = (slips: ReturnType<typeof slip>[]) => [{ slips } as unknown as MilestoneState];

  it('undoes each slip that moved the close date, newest first', () => {
    // close 02-26; slip +7 (moves to 03-05); a debrief after the close slips +3 (close stays)
    expect(
      originalCloseDate(
        '2027-03-05',
        ms([
          slip('2026-12-11', '2026-12-18', '2026-12-08T00:00:00Z'),
          slip('2027-03-12', '2027-03-15', '2026-12-09T00:00:00Z'),
        ]),
      ),
    ).toBe('2027-02-26');
    expect(originalCloseDate('2027-02-26', [])).toBe('2027-02-26');
  });
});
