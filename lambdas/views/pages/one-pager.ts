import { daysInStages } from '../../domain/deal';
import { STAGES } from '../../domain/playbook';
import type { DealSnapshot } from '../../domain/ports';
import { originalCloseDate } from '../../domain/slips';
import { daysBetween } from '../../domain/time';
import { PARTIES, STAGE_KEYS } from '../../domain/vocabulary';
import { type HtmlValue, html, join, SafeHtml } from '../html';
import { formatMoney } from '../reports/format';
import { PRINT_PAGE_HEADERS, printLayout } from './print-layout';

/**
 * `GET /plans/{planId}/one-pager`: a deal's co-sell plan as one printable page (two at most): the seven
 * sections, where the deal stands, and the milestone timeline with every slip shown as the original date
 * struck through and the new one beside it.
 */

export const ONE_PAGER_HEADERS = PRINT_PAGE_HEADERS;

/** A date that moved: the original struck through, then the current one. */
function movedDate(original: string, current: string): SafeHtml {
  if (original === current) return html`${current}`;
  return html`<del><span class="sr">originally </span>${original}</del> → <ins><span class="sr">now </span>${current}</ins>`;
}

/** A definition list; items without a value are left out. */
function dl(items: [string, HtmlValue][]): SafeHtml {
  const shown = items.filter(
    ([, v]) => v !== undefined && v !== '' && !(v instanceof SafeHtml && `${v}` === ''),
  );
  return html`<dl>${shown.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`;
}

function section(id: string, heading: string, body: SafeHtml): SafeHtml {
  return html`<section class="card" aria-labelledby="${id}"><h2 id="${id}">${heading}</h2>${body}</section>`;
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
      ? `Stage ${stageInfo.number} of 5, ${stageInfo.title}: ${deal.stages[deal.stage].status === 'open' ? `open ${days[deal.stage]} day(s)` : 'opening'}`
      : deal.status === 'won'
        ? `Won${deal.outcome ? `: ${money(deal.outcome.finalArr)} ARR, ${deal.outcome.at.slice(0, 10)}` : ''}`
        : `Lost${deal.outcome ? ` on ${deal.outcome.at.slice(0, 10)}` : ''}`;

  const header = html`<h1>${plan.name}</h1>${dl([
    ['Partner', html`${plan.partner.name}${plan.partner.reference && ` (ref. ${plan.partner.reference})`}`],
    ['Attribution', `partner-${plan.attribution}`],
    ['Where it stands', where],
    ['Close date', movedDate(closeWas, closeNow)],
    ['Plan id', deal.planId],
  ])}`;

  const account = section(
    's1',
    '1. Shared account context',
    dl([
      ['Account', html`${plan.account.name}${plan.account.domain && ` (${plan.account.domain})`}`],
      ['Context', plan.account.context],
      ['Trigger', plan.account.trigger],
      ['Partner relationship', plan.account.partnerRelationship || undefined],
    ]),
  );

  const jo = plan.jointOutcome;
  const outcome = section(
    's2',
    '2. Joint outcome',
    html`${dl([
      ['ARR', `${money(jo.arr.min)} to ${money(jo.arr.max)}`],
      ['Contract', `${jo.contractMonths} months`],
      ['Who closes', jo.closer],
      ['Whose paper', jo.paper],
      ['Close date', movedDate(closeWas, closeNow)],
    ])}${
      deal.outcome &&
      html`<p><strong>Outcome:</strong> ${deal.outcome.result}, final ARR ${money(deal.outcome.finalArr)}. Lesson: ${deal.outcome.lesson}</p>`
    }`,
  );

  const owners = section(
    's3',
    '3. Named owners',
    html`<table><thead><tr><th scope="col">Party</th><th scope="col">Name</th><th scope="col">Email</th></tr></thead><tbody>${PARTIES.map(
      (party) => {
        const o = plan.owners[party];
        if (!o) return html`<tr><td>${party}</td><td colspan="2">not named yet</td></tr>`;
        return html`<tr><td>${party}</td><td>${o.name}${o.title && `, ${o.title}`}</td><td>${o.email}</td></tr>`;
      },
    )}</tbody></table>`,
  );

  const originalDue = new Map<string, string>();
  for (const key of STAGE_KEYS) for (const m of plan.stages[key].milestones) originalDue.set(m.id, m.due);
  const ordered = [...milestones].sort((a, b) => a.seq - b.seq);
  const stages = STAGE_KEYS.map((key) => {
    const s = deal.stages[key];
    const current = deal.status === 'active' && deal.stage === key;
    const state = s.status === 'passed' ? `passed ${s.passedAt?.slice(0, 10) ?? ''}` : s.status;
    return html`<li${current && html` class="current" aria-current="step"`}><strong>${STAGES[key].title}</strong> <span class="status">${state}</span> ${plan.stages[key].exit} <span class="muted">Confirmed by ${plan.stages[key].confirmedBy.join(', ')}.</span></li>`;
  });
  const timeline = ordered.map((m) => {
    const was = originalDue.get(m.milestoneId) ?? m.due;
    const notes: SafeHtml[] = [];
    if (m.handoff) {
      notes.push(html`handoff ${m.handoff.from} → ${m.handoff.to}${m.handoff.acceptedAt && ', accepted'}`);
    }
    for (const s of m.slips) {
      const d = daysBetween(s.from, s.to);
      notes.push(
        html`slipped ${movedDate(s.from, s.to)} (+${d} day${d === 1 ? '' : 's'}, ${s.by}${s.reason && `: ${s.reason}`})`,
      );
    }
    if (m.slips.length === 0 && was !== m.due) notes.push(html`moved with an earlier slip`);
    for (const s of m.stuck) notes.push(html`stuck: ${s.reason} (${s.by})`);
    if (m.waived) notes.push(html`waived: ${m.waived.reason}`);
    const current = deal.status === 'active' && deal.stage === m.stage;
    return html`<tr${current && html` class="current"`}><td class="date">${movedDate(was, m.due)}</td><td>${m.title}</td><td>${STAGES[m.stage].number}</td><td>${m.owner.name} (${m.owner.party})</td><td>${STATUS_TEXT[m.status]}</td><td>${join(notes, '; ')}</td></tr>`;
  });
  const sequence = section(
    's4',
    '4. Joint sequence',
    html`<ol>${stages}</ol><table><caption>Milestone timeline</caption><thead><tr><th scope="col">Due</th><th scope="col">Milestone</th><th scope="col">Stage</th><th scope="col">Owner</th><th scope="col">Status</th><th scope="col">Notes</th></tr></thead><tbody>${timeline}</tbody></table>`,
  );

  const risks = section(
    's5',
    '5. Risks and watch-outs',
    plan.risks.length
      ? html`<ul>${plan.risks.map((r) => html`<li>${r}</li>`)}</ul>`
      : html`<p>None named.</p>`,
  );

  const split = plan.economicSplit;
  const economics = section(
    's6',
    '6. Economic split',
    dl([
      ['Recognizes revenue', split.recognizes],
      ['Partner fee', `${split.partnerFeePercent}% of first-year ARR`],
      ['Services revenue to', split.servicesTo],
      ['Notes', split.notes || undefined],
    ]),
  );

  const escalation = section(
    's7',
    '7. Escalation paths',
    dl(
      PARTIES.filter((p) => plan.escalation[p]?.length).map((party): [string, SafeHtml] => [
        party,
        html`<ol>${(plan.escalation[party] ?? []).map(
          (r) => html`<li>${r.name}, ${r.role} (${r.email}) after ${r.afterHours} h</li>`,
        )}</ol>`,
      ]),
    ),
  );

  const { cadence } = plan;
  return printLayout(
    `${plan.name}: one-pager`,
    html`${header}<div class="grid">${account}${outcome}</div>${owners}${sequence}<div class="grid">${risks}${economics}</div>${escalation}<p class="muted">Printed ${now.toISOString().slice(0, 10)}. Cadence: weekly review ${cadence.weekday} ${cadence.time} ${cadence.timezone}.</p>`,
  );
}
