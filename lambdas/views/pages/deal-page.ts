import type { DealRoom, RoomMilestone } from '../../domain/room';
import { daysBetween } from '../../domain/time';
import type { Party, StageKey } from '../../domain/vocabulary';
import { CUSTOMER_STEPS, CUSTOMER_TITLES, inCustomerWords } from '../customer-words';
import { type HtmlValue, html, join, SafeHtml } from '../html';
import { dayLabel, momentLabel } from '../people-dates';
import { formatMoney } from '../reports/format';
import { NO_BRAND, type PageBrand } from './page-brand';
import { printLayout } from './print-layout';

/**
 * The one renderer of a deal: the deal room (`/room/<token>`, for one reader) and the printable one-pager
 * (ops, everything shown). It renders what `dealRoom` put in; what a customer may not see is not in the data.
 * The room writes dates for people in the reader's time zone and, for the customer's people, in the
 * customer's words; the one-pager keeps the plan's own dates and words.
 */

export type DealPageMode = 'room' | 'print';

const PARTY_LABEL: Record<Party, string> = { vendor: 'Vendor', partner: 'Partner', customer: 'Customer' };

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

export function renderDealPage(
  room: DealRoom,
  mode: DealPageMode,
  now: Date,
  brand: PageBrand = NO_BRAND,
): string {
  const customer = room.audience === 'customer';
  const tz = room.reader?.timezone ?? 'UTC';
  const year = now.getUTCFullYear();
  /** A calendar date: the plan's own form in print, `Fri 11 Dec` in the room. */
  const day = (d: string) => (mode === 'print' ? d : dayLabel(d, year));
  const moment = (iso: string) => (mode === 'print' ? iso.slice(0, 10) : momentLabel(iso, tz));
  const moved = (original: string, current: string): SafeHtml => {
    if (original === current) return html`${day(current)}`;
    return html`<del><span class="sr">originally </span>${day(original)}</del> → <ins><span class="sr">now </span>${day(current)}</ins>`;
  };
  const money = (v: number) => formatMoney(v, room.jointOutcome.arr.currency);
  const current = room.stages.find((s) => s.key === room.stage);
  const titleOf = (s: { key: StageKey; title: string }) => (customer ? CUSTOMER_TITLES[s.key] : s.title);
  const stageName = current ? titleOf(current) : room.stage;
  const where =
    room.status === 'active'
      ? customer
        ? `Step ${current?.number ?? ''}: ${stageName}`
        : `Stage ${current?.number ?? ''} of 5, ${stageName}: ${current?.status === 'open' ? `open ${room.daysInStage} day(s)` : 'opening'}`
      : room.status === 'won'
        ? `Won${room.outcome ? `: ${money(room.outcome.finalArr)} ARR, ${day(room.outcome.at.slice(0, 10))}` : ''}`
        : `Lost${room.outcome ? ` on ${day(room.outcome.at.slice(0, 10))}` : ''}`;
  const close = moved(room.closeDate.planned, room.closeDate.now);
  const ownerName = (p: Party) => room.owners.find((o) => o.party === p)?.name;

  const header = html`<h1>${room.name}</h1>${dl([
    [
      'Vendor',
      mode === 'room'
        ? html`${room.vendorName}${ownerName('vendor') && ` (${ownerName('vendor')})`}`
        : undefined,
    ],
    [
      'Partner',
      html`${room.partner.name}${room.partner.reference && !customer && ` (ref. ${room.partner.reference})`}`,
    ],
    ['Customer', mode === 'room' ? room.account.name : undefined],
    ['Attribution', room.attribution && `partner-${room.attribution}`],
    ['AWS Partner Central', room.ace && `${room.ace.opportunityId} (${room.ace.catalog})`],
    ['Where it stands', where],
    ['Close date', close],
    ['Plan id', mode === 'print' ? room.planId : undefined],
  ])}`;

  const reader = room.reader;
  const yours =
    mode === 'room' && reader
      ? html`<section class="card" aria-labelledby="yours"><h2 id="yours">Your next steps, ${reader.name}</h2>${
          room.actions.length
            ? html`<ul class="actions">${room.actions.map((a) => {
                const words =
                  customer && a.action === 'confirm-gate'
                    ? { label: 'Confirm', about: CUSTOMER_STEPS[room.stage] }
                    : a;
                return html`<li><span>${words.about}</span> <a class="btn" href="${a.url}">${words.label}</a></li>`;
              })}</ul><p class="muted">Each button opens a page that asks you to confirm; nothing happens until you do.</p>`
            : html`<p>Nothing is waiting on you right now.</p>`
        }</section>`
      : undefined;
  const moves =
    mode === 'room' && room.whoseMove.length
      ? section(
          'move',
          'Whose move it is',
          html`<ul>${room.whoseMove.map(
            (m) =>
              html`<li><strong>${m.name}</strong> (${PARTY_LABEL[m.party]}): ${join(
                customer
                  ? m.what.map((w) =>
                      w.startsWith('confirm: ')
                        ? `confirm: ${CUSTOMER_STEPS[room.stage]}`
                        : inCustomerWords(w),
                    )
                  : m.what,
                '; ',
              )}</li>`,
          )}</ul>`,
        )
      : undefined;

  const account = section(
    's1',
    '1. Shared account context',
    dl([
      ['Account', html`${room.account.name}${room.account.domain && ` (${room.account.domain})`}`],
      ['Context', room.account.context],
      ['Trigger', room.account.trigger],
      ['Partner relationship', room.account.partnerRelationship || undefined],
    ]),
  );

  const jo = room.jointOutcome;
  const outcome = section(
    's2',
    '2. Joint outcome',
    html`${dl([
      ['ARR', `${money(jo.arr.min)} to ${money(jo.arr.max)}`],
      ['Contract', `${jo.contractMonths} months`],
      ['Who closes', jo.closer],
      ['Whose paper', jo.paper],
      ['Close date', close],
    ])}${
      room.outcome &&
      html`<p><strong>Outcome:</strong> ${room.outcome.result}, final ARR ${money(room.outcome.finalArr)}. Lesson: ${room.outcome.lesson}</p>`
    }`,
  );

  const owners = section(
    's3',
    '3. Named owners',
    html`<table><thead><tr><th scope="col">Party</th><th scope="col">Name</th><th scope="col">Email</th></tr></thead><tbody>${(
      ['vendor', 'partner', 'customer'] as const
    ).map((party) => {
      const o = room.owners.find((x) => x.party === party);
      if (!o) return html`<tr><td>${party}</td><td colspan="2">not named yet</td></tr>`;
      return html`<tr><td>${party}</td><td>${o.name}${o.title && `, ${o.title}`}</td><td>${o.email}${o.phone && html`<br>${o.phone}`}</td></tr>`;
    })}</tbody></table>`,
  );

  const stages = room.stages.map((s) => {
    const state =
      s.status === 'passed' ? `passed ${s.passedAt ? day(s.passedAt.slice(0, 10)) : ''}` : s.status;
    const exit = customer ? (CUSTOMER_STEPS[s.key] ?? s.exit) : s.exit;
    const confirmed = customer
      ? ''
      : html` <span class="muted">Confirmed by ${s.confirmedBy.join(', ')}.</span>`;
    const evidence =
      mode === 'room' && s.evidence.length
        ? html`<ul class="evidence">${s.evidence.map(
            (c) =>
              html`<li>${PARTY_LABEL[c.party]} confirmed ${moment(c.at)}${join(
                Object.entries(c.evidence).map(
                  ([k, v]) => html`; ${EVIDENCE_LABELS[k] ?? k}: ${evidenceValue(k, v)}`,
                ),
              )}</li>`,
          )}</ul>`
        : undefined;
    return html`<li${s.current && html` class="current" aria-current="step"`}><strong>${titleOf(s)}</strong> <span class="status">${state}</span> ${exit}${confirmed}${evidence}</li>`;
  });
  const timeline = room.milestones.map((m) => milestoneRow(m, moved, mode));
  const sequence = section(
    's4',
    customer ? '4. The steps together' : '4. Joint sequence',
    html`<ol>${stages}</ol><div class="scroll"><table><caption>Milestone timeline</caption><thead><tr><th scope="col">Due</th><th scope="col">Milestone</th><th scope="col">Stage</th><th scope="col">Owner</th><th scope="col">Status</th><th scope="col">Notes</th></tr></thead><tbody>${timeline}</tbody></table></div>`,
  );

  const risks = section(
    's5',
    '5. Risks and watch-outs',
    room.risks.length
      ? html`<ul>${room.risks.map((r) => html`<li>${r}</li>`)}</ul>`
      : html`<p>None named.</p>`,
  );

  const split = room.economicSplit;
  const economics = section(
    's6',
    customer ? '6. Commercial terms' : '6. Economic split',
    split
      ? dl([
          ['Recognizes revenue', split.recognizes],
          ['Partner fee', `${split.partnerFeePercent}% of first-year ARR`],
          ['Services revenue to', split.servicesTo],
          ['Notes', split.notes || undefined],
        ])
      : html`<p>Agreed between ${room.vendorName} and ${room.partner.name}; your contract sets out what you pay.</p>`,
  );

  const escalation = section(
    's7',
    customer ? '7. Who to contact' : '7. Escalation paths',
    room.escalation.length
      ? dl(
          room.escalation.map((e): [string, SafeHtml] => [
            e.party,
            html`<ol>${e.rungs.map(
              (r) =>
                html`<li>${r.name}, ${r.role} (${r.email}${r.phone && `, ${r.phone}`})${!customer && ` after ${r.afterHours} h`}</li>`,
            )}</ol>`,
          ]),
        )
      : html`<p>Your contacts are the named owners above.</p>`,
  );

  const history =
    mode === 'room'
      ? section(
          'history',
          'Recent history',
          room.history.length
            ? html`<ul>${room.history.map((h) => html`<li><span class="muted">${moment(h.at)}</span> ${h.text}</li>`)}</ul>`
            : html`<p>Nothing has happened yet.</p>`,
        )
      : undefined;

  const { cadence } = room;
  const footer =
    mode === 'print'
      ? html`<p class="muted">Printed ${now.toISOString().slice(0, 10)}. Cadence: weekly review ${cadence.weekday} ${cadence.time} ${cadence.timezone}.</p>`
      : html`<p class="muted">Shown ${momentLabel(now, tz)} (${tz}). This page is yours only: it shows the deal as it is now, and changes nothing. Weekly check-in: ${cadence.weekday} ${cadence.time} ${cadence.timezone}.</p>`;
  return printLayout(
    mode === 'print' ? `${room.name}: one-pager` : room.name,
    html`${header}${yours}${moves}<div class="grid">${account}${outcome}</div>${owners}${sequence}<div class="grid">${risks}${economics}</div>${escalation}${history}${footer}`,
    brand,
  );
}

const EVIDENCE_LABELS: Record<string, string> = {
  meetingDate: 'meeting on',
  briefUrl: 'brief',
  customerConfirmation: 'path to a decision confirmed',
  outcome: 'outcome',
  finalArr: 'final ARR',
  lesson: 'lesson',
  note: 'note',
};

function evidenceValue(key: string, value: string | number): HtmlValue {
  if (key === 'briefUrl' && typeof value === 'string' && /^https?:\/\//.test(value)) {
    return html`<a href="${value}">link to the brief</a>`;
  }
  if (key === 'meetingDate' && typeof value === 'string') return dayLabel(value);
  return String(value);
}

function milestoneRow(
  m: RoomMilestone,
  moved: (a: string, b: string) => SafeHtml,
  mode: DealPageMode,
): SafeHtml {
  // People read names; the printed one-pager keeps the addresses as recorded.
  const who = (x: { by: string; byName: string }) => (mode === 'room' ? x.byName : x.by);
  const notes: SafeHtml[] = [];
  if (m.handoff)
    notes.push(html`handoff ${m.handoff.from} → ${m.handoff.to}${m.handoff.acceptedAt && ', accepted'}`);
  for (const s of m.slips) {
    const d = daysBetween(s.from, s.to);
    notes.push(
      html`slipped ${moved(s.from, s.to)} (+${d} day${d === 1 ? '' : 's'}, ${who(s)}${s.reason && `: ${s.reason}`})`,
    );
  }
  if (m.slips.length === 0 && m.plannedDue !== m.due) notes.push(html`moved with an earlier slip`);
  for (const s of m.stuck) notes.push(html`stuck: ${s.reason} (${who(s)})`);
  if (m.waived) notes.push(html`waived: ${m.waived.reason}`);
  return html`<tr${m.current && html` class="current"`}><td class="date">${moved(m.plannedDue, m.due)}</td><td>${m.title}</td><td>${m.stage}</td><td>${m.owner.name} (${m.owner.party})</td><td>${m.status}</td><td>${join(notes, '; ')}</td></tr>`;
}
