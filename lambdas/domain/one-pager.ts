import { daysInStages, type MilestoneState } from './deal';
import { escapeHtml as e } from './emails';
import { STAGES } from './playbook';
import type { DealSnapshot } from './ports';
import { PRINT_PAGE_HEADERS, printLayout } from './print-layout';
import { formatMoney } from './reports';
import { addDays, daysBetween } from './time';
import { PARTIES, STAGE_KEYS } from './vocabulary';

/**
 * `GET /plans/{planId}/one-pager`: a deal's co-sell plan as one printable page (two at most): the seven
 * sections, where the deal stands, and the milestone timeline with every slip shown as the original date
 * struck through and the new one beside it.
 */

export const ONE_PAGER_HEADERS = PRINT_PAGE_HEADERS;

/** A date that moved: the original struck through, then the current one. */
function movedDate(original: string, current: string): string {
  if (original === current) return e(current);
  return `<del><span class="sr">originally </span>${e(original)}</del> → <ins><span class="sr">now </span>${e(current)}</ins>`;
}

/**
 * The close date as loaded. A slip moves the close date by its days unless the slipped milestone was due
 * after the close (see `replan`), and the stored plan keeps only the latest close date, so undo the slips
 * from the newest back.
 */
export function originalCloseDate(current: string, milestones: readonly MilestoneState[]): string {
  const slips = milestones.flatMap((m) => m.slips).sort((a, b) => b.at.localeCompare(a.at));
  let close = current;
  for (const s of slips) {
    const before = addDays(close, -daysBetween(s.from, s.to));
    if (s.from <= before) close = before;
  }
  return close;
}

function dl(items: [string, string | undefined][]): string {
  return `<dl>${items
    .filter((item): item is [string, string] => item[1] !== undefined && item[1] !== '')
    .map(([k, v]) => `<dt>${e(k)}</dt><dd>${v}</dd>`)
    .join('')}</dl>`;
}

function section(id: string, heading: string, body: string): string {
  return `<section class="card" aria-labelledby="${id}"><h2 id="${id}">${e(heading)}</h2>${body}</section>`;
}

const STATUS_TEXT = { open: 'open', done: 'done', waived: 'waived' } as const;

export function renderOnePager({ deal, milestones }: DealSnapshot, now: Date): string {
  const plan = deal.plan;
  const stageInfo = STAGES[deal.stage];
  const days = daysInStages(deal, now);
  const closeNow = plan.jointOutcome.closeDate;
  const closeWas = originalCloseDate(closeNow, milestones);
  const money = (v: number) => formatMoney(v, plan.jointOutcome.arr.currency);

  const where =
    deal.status === 'active'
      ? `Stage ${stageInfo.number} of 5, ${e(stageInfo.title)}: ${deal.stages[deal.stage].status === 'open' ? `open ${days[deal.stage]} day(s)` : 'opening'}`
      : deal.status === 'won'
        ? `Won${deal.outcome ? `: ${e(money(deal.outcome.finalArr))} ARR, ${e(deal.outcome.at.slice(0, 10))}` : ''}`
        : `Lost${deal.outcome ? ` on ${e(deal.outcome.at.slice(0, 10))}` : ''}`;

  const header =
    `<h1>${e(plan.name)}</h1>` +
    dl([
      [
        'Partner',
        e(plan.partner.name) + (plan.partner.reference ? ` (ref. ${e(plan.partner.reference)})` : ''),
      ],
      ['Attribution', `partner-${e(plan.attribution)}`],
      ['Where it stands', where],
      ['Close date', movedDate(closeWas, closeNow)],
      ['Plan id', e(deal.planId)],
    ]);

  const account = section(
    's1',
    '1. Shared account context',
    dl([
      ['Account', e(plan.account.name) + (plan.account.domain ? ` (${e(plan.account.domain)})` : '')],
      ['Context', e(plan.account.context)],
      ['Trigger', e(plan.account.trigger)],
      [
        'Partner relationship',
        plan.account.partnerRelationship ? e(plan.account.partnerRelationship) : undefined,
      ],
    ]),
  );

  const jo = plan.jointOutcome;
  const outcome = section(
    's2',
    '2. Joint outcome',
    dl([
      ['ARR', `${e(money(jo.arr.min))} to ${e(money(jo.arr.max))}`],
      ['Contract', `${jo.contractMonths} months`],
      ['Who closes', e(jo.closer)],
      ['Whose paper', e(jo.paper)],
      ['Close date', movedDate(closeWas, closeNow)],
    ]) +
      (deal.outcome
        ? `<p><strong>Outcome:</strong> ${e(deal.outcome.result)}, final ARR ${e(money(deal.outcome.finalArr))}. Lesson: ${e(deal.outcome.lesson)}</p>`
        : ''),
  );

  const owners = section(
    's3',
    '3. Named owners',
    `<table><thead><tr><th scope="col">Party</th><th scope="col">Name</th><th scope="col">Email</th></tr></thead><tbody>${PARTIES.map(
      (party) => {
        const o = plan.owners[party];
        if (!o) return `<tr><td>${party}</td><td colspan="2">not named yet</td></tr>`;
        return `<tr><td>${party}</td><td>${e(o.name)}${o.title ? `, ${e(o.title)}` : ''}</td><td>${e(o.email)}</td></tr>`;
      },
    ).join('')}</tbody></table>`,
  );

  const originalDue = new Map<string, string>();
  for (const key of STAGE_KEYS) for (const m of plan.stages[key].milestones) originalDue.set(m.id, m.due);
  const ordered = [...milestones].sort((a, b) => a.seq - b.seq);
  const sequence = section(
    's4',
    '4. Joint sequence',
    `<ol>${STAGE_KEYS.map((key) => {
      const s = deal.stages[key];
      const current = deal.status === 'active' && deal.stage === key;
      const state = s.status === 'passed' ? `passed ${s.passedAt?.slice(0, 10) ?? ''}` : s.status;
      return `<li${current ? ' class="current" aria-current="step"' : ''}><strong>${e(STAGES[key].title)}</strong> <span class="status">${e(state)}</span> ${e(plan.stages[key].exit)} <span class="muted">Confirmed by ${e(plan.stages[key].confirmedBy.join(', '))}.</span></li>`;
    }).join('')}</ol>` +
      `<table><caption>Milestone timeline</caption><thead><tr><th scope="col">Due</th><th scope="col">Milestone</th><th scope="col">Stage</th><th scope="col">Owner</th><th scope="col">Status</th><th scope="col">Notes</th></tr></thead><tbody>${ordered
        .map((m) => {
          const was = originalDue.get(m.milestoneId) ?? m.due;
          const notes: string[] = [];
          if (m.handoff) {
            notes.push(
              `handoff ${e(m.handoff.from)} → ${e(m.handoff.to)}${m.handoff.acceptedAt ? ', accepted' : ''}`,
            );
          }
          for (const s of m.slips) {
            const d = daysBetween(s.from, s.to);
            notes.push(
              `slipped ${movedDate(s.from, s.to)} (+${d} day${d === 1 ? '' : 's'}, ${e(s.by)}${s.reason ? `: ${e(s.reason)}` : ''})`,
            );
          }
          if (m.slips.length === 0 && was !== m.due) notes.push('moved with an earlier slip');
          for (const s of m.stuck) notes.push(`stuck: ${e(s.reason)} (${e(s.by)})`);
          if (m.waived) notes.push(`waived: ${e(m.waived.reason)}`);
          const current = deal.status === 'active' && deal.stage === m.stage;
          return `<tr${current ? ' class="current"' : ''}><td class="date">${movedDate(was, m.due)}</td><td>${e(m.title)}</td><td>${STAGES[m.stage].number}</td><td>${e(m.owner.name)} (${e(m.owner.party)})</td><td>${STATUS_TEXT[m.status]}</td><td>${notes.join('; ')}</td></tr>`;
        })
        .join('')}</tbody></table>`,
  );

  const risks = section(
    's5',
    '5. Risks and watch-outs',
    plan.risks.length
      ? `<ul>${plan.risks.map((r) => `<li>${e(r)}</li>`).join('')}</ul>`
      : '<p>None named.</p>',
  );

  const split = plan.economicSplit;
  const economics = section(
    's6',
    '6. Economic split',
    dl([
      ['Recognizes revenue', e(split.recognizes)],
      ['Partner fee', `${split.partnerFeePercent}% of first-year ARR`],
      ['Services revenue to', e(split.servicesTo)],
      ['Notes', split.notes ? e(split.notes) : undefined],
    ]),
  );

  const escalation = section(
    's7',
    '7. Escalation paths',
    dl(
      PARTIES.filter((p) => plan.escalation[p]?.length).map((party): [string, string] => [
        party,
        `<ol>${(plan.escalation[party] ?? [])
          .map((r) => `<li>${e(r.name)}, ${e(r.role)} (${e(r.email)}) after ${r.afterHours} h</li>`)
          .join('')}</ol>`,
      ]),
    ),
  );

  return printLayout(
    `${plan.name}: one-pager`,
    header +
      `<div class="grid">${account}${outcome}</div>${owners}${sequence}<div class="grid">${risks}${economics}</div>${escalation}` +
      `<p class="muted">Printed ${e(now.toISOString().slice(0, 10))}. Cadence: weekly review ${e(plan.cadence.weekday)} ${e(plan.cadence.time)} ${e(plan.cadence.timezone)}.</p>`,
  );
}
