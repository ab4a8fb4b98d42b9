import type { ActionTarget, SlipImpact } from '../../domain/actions';
import type { Deal } from '../../domain/deal';
import { partyOf } from '../../domain/deal';
import type { LinkAction, LinkClaims } from '../../domain/links';
import { STAGES } from '../../domain/playbook';
import type { SlipPreview } from '../../domain/slips';
import {
  type FieldError,
  FRESH_LINK_INTENT,
  type LinkContext,
  type LinkPage,
} from '../../domain/use-cases/links';
import type { StageKey } from '../../schemas/plan.schema';
import { CUSTOMER_STEPS, CUSTOMER_TITLES } from '../customer-words';
import { html, raw, type SafeHtml } from '../html';
import { htmlPageHeaders } from '../html-headers';
import { atLabel, dayLabel, zoneLabel } from '../people-dates';
import { formatMoney } from '../reports/format';
import { brandCss, brandHeader, brandImageSource, NO_BRAND, type PageBrand } from './page-brand';

/**
 * Server-rendered pages behind action links: plain HTML, no script, no external assets, readable on a
 * 375 px screen. GET and HEAD only render; the form POSTs back to the same URL.
 */

const STYLE = [
  'body{font-family:system-ui,-apple-system,Segoe UI,Roboto,Arial,sans-serif;margin:0;color:#1a1a1a;background:#f6f7f9;line-height:1.5}',
  'main{max-width:36rem;margin:0 auto;padding:1rem}',
  'h1{font-size:1.35rem;margin:.5rem 0 1rem}',
  'h2{font-size:1.1rem;margin:0 0 .5rem}',
  'ul{padding-left:1.25rem;margin:.5rem 0}',
  '.card{background:#fff;border:1px solid #d0d4da;border-radius:8px;padding:1rem;margin-bottom:1rem}',
  'label{display:block;font-weight:600;margin:.75rem 0 .25rem}',
  'input[type=text],input[type=date],input[type=url],input[type=number],textarea{width:100%;box-sizing:border-box;padding:.6rem;font-size:1rem;border:1px solid #6b7280;border-radius:6px}',
  '.choice{display:flex;gap:.5rem;align-items:center;font-weight:400}',
  'input,textarea,button{font:inherit}',
  'button{margin-top:1rem;width:100%;padding:.8rem;font-size:1.05rem;background:#0b57d0;color:#fff;border:0;border-radius:6px}',
  '.error{color:#a50e0e;font-weight:600}',
  '.warn{border-left:4px solid #a50e0e;padding:.5rem .75rem;background:#fdf2f2}',
  '.btn{display:block;margin-top:1rem;min-height:48px;line-height:48px;text-align:center;background:#fff;color:#0b57d0;border:1px solid #0b57d0;border-radius:6px;text-decoration:none;font-weight:600}',
  '.muted{color:#4b5563;font-size:.95rem}',
  'dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem .75rem;margin:0}dt{font-weight:600}dd{margin:0}',
].join('');

/** Headers every link page carries (see html-headers.ts); its form posts back to the same URL. */
export const PAGE_HEADERS = htmlPageHeaders(STYLE, "'self'");

/** The link pages' stylesheet with the tenant's brand (page-brand.ts): the form's button in its colour. */
const brandedStyle = (brand: PageBrand) => STYLE + brandCss(brand, 'button');

/** The headers of a branded link page: its stylesheet's hash, and the logo's origin for img-src. */
export function linkPageHeaders(brand: PageBrand = NO_BRAND): Record<string, string> {
  if (!brand.color && !brand.logo) return PAGE_HEADERS;
  return htmlPageHeaders(brandedStyle(brand), "'self'", brandImageSource(brand));
}

function brandedLayout(title: string, body: SafeHtml, brand: PageBrand): string {
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${title} · Cosell Flow</title><style>${raw(brandedStyle(brand))}</style></head><body><main>${brandHeader(brand)}${body}</main></body></html>`.toString();
}

const ACTION_TITLES: Record<LinkAction, string> = {
  'confirm-gate': 'Confirm the gate',
  'milestone-done': 'Mark a milestone done',
  'milestone-slip': 'Report a slip',
  'milestone-stuck': 'Say a milestone is stuck',
  'accept-handoff': 'Accept a handoff',
  'waive-milestone': 'Waive a milestone',
  'decide-replan': 'Decide a re-plan',
};

export function renderLinkPage(page: LinkPage, brand: PageBrand = NO_BRAND): string {
  const layout = (title: string, body: SafeHtml) => brandedLayout(title, body, brand);
  switch (page.kind) {
    case 'refused': {
      const title = REFUSAL_TITLES[page.reason];
      const next = page.freshLinkTo ? FRESH_LINK_NEXT_STEP : NEXT_STEP[page.reason];
      return layout(
        title,
        html`<h1>${title}</h1><div class="card">${page.context && refusedContext(page.context)}<p>${page.message}</p><p class="muted">${next}</p></div>${page.freshLinkTo && freshLinkForm(page.freshLinkTo)}`,
      );
    }
    case 'done':
      return layout(
        'Done',
        html`<h1>Done</h1><div class="card"><p role="status">${page.message}</p>${summary(page.deal, page.claims)}</div>${registered(page.deal, page.claims)}${page.impact && impact(page.impact)}${page.roomUrl && html`<a class="btn" href="${page.roomUrl}">See the whole deal</a>`}`,
      );
    case 'fresh-link':
      return layout(
        'Check your email',
        html`<h1>Check your email</h1><div class="card"><p role="status">${page.message}</p><p class="muted">The new link expires like the old one did. Nothing else was changed.</p></div>`,
      );
    case 'form': {
      const { action } = page.claims;
      const customer = isCustomerLink(page.deal, page.claims);
      const title = customer && action === 'confirm-gate' ? 'Please confirm' : ACTION_TITLES[action];
      const values = page.values ?? {};
      return layout(
        title,
        html`<h1>${title}</h1><div class="card">${summary(page.deal, page.claims)}<p>${describe(page.deal, page.claims, page.target)}</p></div>${outcomeDetails(page.deal, page.claims, page.target)}<form method="post" class="card">${errors(page.errors)}${page.preview && slipImpactCard(page.preview)}${fields(action, page.target, values, page.preview)}<button type="submit">${action === 'milestone-slip' && !page.preview ? 'Show the impact' : BUTTONS[action]}</button></form>`,
      );
    }
  }
}

/**
 * On a used or expired page: which deal and which step, and when it was used or expired, in words and in the
 * reader's time zone ("You confirmed … on Fri 11 Dec at 14:05 (Chicago time)"); customer words for customers.
 */
function refusedContext(c: LinkContext): SafeHtml {
  const customer = c.reader.party === 'customer';
  const stage = STAGES[c.stage];
  const step = customer ? CUSTOMER_TITLES[c.stage] : `${stage.number} of 5, ${stage.title}`;
  const when = (at: string) => `${atLabel(at, c.reader.timezone)} (${zoneLabel(c.reader.timezone)})`;
  const { did, ask } = stepWords(c, customer);
  const sentence = c.usedAt
    ? `You ${did} on ${when(c.usedAt)}.`
    : c.expiredAt
      ? `This link was for you to ${ask}. It expired on ${when(c.expiredAt)}.`
      : c.done
        ? `Done by ${c.done.by} on ${when(c.done.at)}.`
        : undefined;
  return html`<dl><dt>Deal</dt><dd>${c.planName}</dd><dt>${customer ? 'Step' : 'Stage'}</dt><dd>${step}</dd><dt>For</dt><dd>${c.reader.name}</dd></dl>${sentence && html`<p>${sentence}</p>`}`;
}

/** A link's step in words: what the reader did with it (`did`) and what it was for (`ask`). */
function stepWords(c: LinkContext, customer: boolean): { did: string; ask: string } {
  const m = `“${c.milestone ?? 'this milestone'}”`;
  switch (c.action) {
    case 'confirm-gate':
      return customer
        ? { did: `confirmed “${CUSTOMER_TITLES[c.stage]}”`, ask: `confirm “${CUSTOMER_TITLES[c.stage]}”` }
        : {
            did: `confirmed the ${STAGES[c.stage].title} gate`,
            ask: `confirm the ${STAGES[c.stage].title} gate`,
          };
    case 'milestone-done':
      return { did: `marked ${m} done`, ask: `mark ${m} done` };
    case 'milestone-slip':
      return { did: `reported a new date for ${m}`, ask: `report a new date for ${m}` };
    case 'milestone-stuck':
      return { did: `said ${m} is stuck`, ask: `say ${m} is stuck` };
    case 'accept-handoff':
      return { did: `accepted the handoff of ${m}`, ask: `accept the handoff of ${m}` };
    case 'waive-milestone':
      return { did: `waived ${m}`, ask: `waive ${m}` };
    case 'decide-replan':
      return { did: 'decided on the proposed re-plan', ask: 'decide on the proposed re-plan' };
  }
}

/** The expired page's one button: it POSTs back to the same link, which mails the bound recipient. */
function freshLinkForm(maskedTo: string): SafeHtml {
  return html`<form method="post" class="card"><input type="hidden" name="intent" value="${FRESH_LINK_INTENT}"><p>We can email a new link for the same step to the address this one was sent to, ${maskedTo}.</p><button type="submit">Send me a fresh link</button></form>`;
}

/** What a slip moved: each milestone's old and new date, and the close date. */
function impact(slip: SlipImpact): SafeHtml {
  const moved = slip.moved.map((m) => html`<li>${m.title}: ${m.from} → ${m.to}</li>`);
  const { from, to } = slip.closeDate;
  const close =
    from === to
      ? html`<p>The close date stays ${from}.</p>`
      : html`<p>The close date moves from ${from} to ${to}.</p>`;
  const count = slip.moved.length === 1 ? '1 milestone' : `${slip.moved.length} milestones`;
  return html`<section class="card" aria-labelledby="impact"><h2 id="impact">What moved</h2><p>${count} moved by ${slip.days} ${slip.days === 1 ? 'day' : 'days'}:</p><ul>${moved}</ul>${close}</section>`;
}

const REFUSAL_TITLES = {
  invalid: 'This link is not valid',
  expired: 'This link has expired',
  used: 'This link was already used',
  superseded: 'This link is out of date',
  'already-done': 'Already done',
  'not-allowed': 'This link cannot do that',
} as const;

const NEXT_STEP = {
  invalid: 'Open the link from your latest email, or ask the deal owner to send it again.',
  expired: 'Links expire for your safety. Your latest email about this deal has the current links.',
  used: 'Each link works once. If something still needs doing, use the link in your latest email.',
  superseded: 'The deal has moved on since this email was sent. Your latest email has the current links.',
  'already-done': 'Nothing more is needed from this link.',
  'not-allowed': 'Ask the deal owner who should take this step.',
} as const;

const FRESH_LINK_NEXT_STEP =
  'Links expire for your safety. A fresh link goes only to the address this one was sent to.';

const BUTTONS: Record<LinkAction, string> = {
  'confirm-gate': 'Confirm',
  'milestone-done': 'Mark done',
  'milestone-slip': 'Re-plan with the new date',
  'milestone-stuck': 'Escalate now',
  'accept-handoff': 'Accept the handoff',
  'waive-milestone': 'Waive',
  'decide-replan': 'Send my decision',
};

function isCustomerLink(deal: Deal, claims: LinkClaims): boolean {
  return partyOf(deal.plan, claims.recipient) === 'customer';
}

/** The one who holds the link, by name as the plan gives it. */
function nameOf(deal: Deal, email: string): string {
  const e = email.toLowerCase();
  for (const o of Object.values(deal.plan.owners)) if (o?.email.toLowerCase() === e) return o.name;
  for (const l of Object.values(deal.plan.escalation))
    for (const r of l ?? []) if (r.email.toLowerCase() === e) return r.name;
  return email;
}

function summary(deal: Deal, claims: LinkClaims): SafeHtml {
  const stage = STAGES[deal.stage];
  const customer = isCustomerLink(deal, claims);
  const vendor = deal.plan.owners.vendor;
  const where = customer ? CUSTOMER_TITLES[deal.stage] : `${stage.number} of 5, ${stage.title}`;
  return html`<dl><dt>Deal</dt><dd>${deal.plan.name}</dd><dt>Customer</dt><dd>${deal.plan.account.name}</dd><dt>Partner</dt><dd>${deal.plan.partner.name}</dd>${vendor && html`<dt>Vendor owner</dt><dd>${vendor.name}</dd>`}<dt>${customer ? 'Step' : 'Stage'}</dt><dd>${where}</dd><dt>For</dt><dd>${nameOf(deal, claims.recipient)}</dd></dl>`;
}

/**
 * Before the stage-5 outcome is given: the planned ARR range and currency, and (to vendor and partner only)
 * the attribution and fee that will be recorded, with the warning that registering cannot be undone.
 */
function outcomeDetails(deal: Deal, claims: LinkClaims, target: ActionTarget): SafeHtml | undefined {
  if (claims.action !== 'confirm-gate' || target.stage !== 'close-register-review') return undefined;
  const { arr } = deal.plan.jointOutcome;
  const money = (v: number) => formatMoney(v, arr.currency);
  const customer = isCustomerLink(deal, claims);
  const split = deal.plan.economicSplit;
  return html`<section class="card" aria-labelledby="outcome"><h2 id="outcome">${customer ? 'What you are confirming' : 'What will be registered'}</h2><dl><dt>Planned ARR</dt><dd>${money(arr.min)} to ${money(arr.max)} (${arr.currency})</dd>${
    !customer &&
    html`<dt>Attribution</dt><dd>partner-${deal.plan.attribution}</dd><dt>Partner fee</dt><dd>${split.partnerFeePercent}% of first-year ARR to ${deal.plan.partner.name}</dd>`
  }</dl>${!customer && html`<p class="warn">Registering the outcome cannot be undone: the deal is registered with this attribution and fee.</p>`}</section>`;
}

/** After the stage-5 outcome: exactly what was registered. */
function registered(deal: Deal, claims: LinkClaims): SafeHtml | undefined {
  const o = deal.outcome;
  if (!o || claims.action !== 'confirm-gate') return undefined;
  const money = (v: number) => formatMoney(v, o.currency);
  if (isCustomerLink(deal, claims)) {
    return html`<section class="card" aria-labelledby="recorded"><h2 id="recorded">Recorded</h2><p>Outcome: ${o.result}, ${dayLabel(o.at)}. Thank you.</p></section>`;
  }
  const fee = Math.round((o.finalArr * deal.plan.economicSplit.partnerFeePercent) / 100);
  return html`<section class="card" aria-labelledby="recorded"><h2 id="recorded">What was registered</h2><dl><dt>Outcome</dt><dd>${o.result}</dd><dt>Final ARR</dt><dd>${money(o.finalArr)}</dd><dt>Attribution</dt><dd>partner-${deal.plan.attribution}</dd><dt>Partner fee</dt><dd>${deal.plan.economicSplit.partnerFeePercent}% (${money(fee)}) to ${deal.plan.partner.name}</dd><dt>Lesson</dt><dd>${o.lesson}</dd><dt>On</dt><dd>${dayLabel(o.at)}</dd></dl></section>`;
}

/** What the action does, as plain text (the template escapes it). */
function describe(deal: Deal, claims: LinkClaims, target: ActionTarget): string {
  const m = target.milestone;
  switch (claims.action) {
    case 'confirm-gate':
      return isCustomerLink(deal, claims)
        ? `Please confirm: ${CUSTOMER_STEPS[target.stage]}`
        : `Confirm that this is true: ${deal.plan.stages[target.stage].exit} You will be asked for ${STAGES[target.stage].evidence}.`;
    case 'milestone-done':
      return `Mark “${m?.title}” (due ${m ? dayLabel(m.due) : ''}) as done.`;
    case 'milestone-slip':
      return `“${m?.title}” is due ${m ? dayLabel(m.due) : ''}. Give the new date, then absorb it (the close date holds) or propose moving the close date.`;
    case 'decide-replan':
      return replanText(deal);
    case 'milestone-stuck':
      return `Say “${m?.title}” is stuck. Your side's escalation path is told at once.`;
    case 'accept-handoff':
      return `Accept the handoff of “${m?.title}” from the ${m?.handoff?.from} side: it is yours from now on.`;
    case 'waive-milestone':
      return `Waive “${m?.title}” (owned by ${m?.owner.name}) if it no longer applies; the gate will no longer wait for it.`;
  }
}

/** The full re-plan a proposal asks for, as the vendor owner decides it. */
function replanText(deal: Deal): string {
  const p = deal.slipProposal;
  if (!p) return 'No proposal is waiting.';
  const moves = p.replan.moved
    .map((mv) => `${mv.title}: ${dayLabel(mv.from)} → ${dayLabel(mv.to)}`)
    .join('; ');
  return `${nameOf(deal, p.by)} slipped “${p.title}” by ${p.days} day(s) (${p.reason}) and proposes moving the close date from ${dayLabel(p.replan.closeDate.from)} to ${dayLabel(p.replan.closeDate.to)}. The re-plan: ${moves}. Approve it, or decline and the close date holds.`;
}

function errors(list: FieldError[] | undefined): SafeHtml | undefined {
  if (!list?.length) return undefined;
  return html`<div role="alert" class="error"><p>Please fix:</p><ul>${list.map((x) => html`<li>${FIELD_LABELS[x.path] ?? x.path}: ${x.message}</li>`)}</ul></div>`;
}

/** Each form field's label, as errors name it (never the field's name, such as `briefUrl`). */
const FIELD_LABELS: Record<string, string> = {
  note: 'Note',
  reason: 'Why',
  newDue: 'New due date',
  choice: 'How to handle it',
  decision: 'Your decision',
  meetingDate: 'Date of the booked joint meeting',
  briefUrl: 'Link to the brief',
  customerConfirmation: 'Confirmation of the path to a decision',
  outcome: 'Outcome',
  finalArr: 'Final ARR',
  lesson: 'Lesson learned',
};

type Values = Record<string, string>;

const note = (v: Values) =>
  html`<label for="note">${FIELD_LABELS.note} (optional)</label><textarea id="note" name="note" rows="3" maxlength="2000">${v.note ?? ''}</textarea>`;
const reason = (v: Values) =>
  html`<label for="reason">${FIELD_LABELS.reason}</label><textarea id="reason" name="reason" rows="3" maxlength="500" required>${v.reason ?? ''}</textarea>`;

/** Absorb (the default: the close date holds) or propose moving the close date (the vendor owner decides). */
const slipChoice = (v: Values, canAbsorb: boolean) =>
  html`<fieldset><legend>${FIELD_LABELS.choice}</legend>${canAbsorb && html`<label><input type="radio" name="choice" value="absorb"${v.choice === 'propose' ? '' : ' checked'}> Absorb it: only this milestone moves; later dates and the close date hold</label>`}<label><input type="radio" name="choice" value="propose"${v.choice === 'propose' || !canAbsorb ? ' checked' : ''}> Propose moving the close date: the vendor owner approves the re-plan</label></fieldset>`;

/** A slip's impact before anything is saved: the new date, what would move, the close date. */
function slipImpactCard(p: SlipPreview): SafeHtml {
  const absorbed = p.absorb.possible
    ? html`<p>Absorbed (nothing is saved yet): ${p.absorb.impact.moved.length === 1 ? 'only this milestone moves' : `${p.absorb.impact.moved.length} milestones move`}; the close date holds (${dayLabel(p.absorb.impact.closeDate.to)}).</p><ul>${p.absorb.impact.moved.map((m) => html`<li>${m.title}: ${dayLabel(m.from)} → ${dayLabel(m.to)}</li>`)}</ul>`
    : html`<p role="alert">${p.absorb.why}</p>`;
  return html`<section class="card" aria-labelledby="impact"><h2 id="impact">The impact of ${dayLabel(p.newDue)} (+${p.days} ${p.days === 1 ? 'day' : 'days'})</h2>${absorbed}<p>Proposing moves the close date from ${dayLabel(p.replan.closeDate.from)} to ${dayLabel(p.replan.closeDate.to)} once the vendor owner approves; these would move:</p><ul>${p.replan.moved.map((m) => html`<li>${m.title}: ${dayLabel(m.from)} → ${dayLabel(m.to)}</li>`)}</ul></section>`;
}

function fields(action: LinkAction, target: ActionTarget, v: Values, preview?: SlipPreview): SafeHtml {
  switch (action) {
    case 'confirm-gate':
      return gateFields(target.stage, v);
    case 'milestone-slip':
      return html`<label for="newDue">${FIELD_LABELS.newDue}</label><input type="date" id="newDue" name="newDue" required value="${v.newDue ?? ''}">${reason(v)}${preview && slipChoice(v, preview.absorb.possible)}`;
    case 'milestone-stuck':
    case 'waive-milestone':
      return reason(v);
    case 'decide-replan':
      return html`<fieldset><legend>${FIELD_LABELS.decision}</legend><label><input type="radio" name="decision" value="approve" required> Approve: later milestones and the close date move</label><label><input type="radio" name="decision" value="decline"> Decline: the close date holds</label></fieldset>`;
    default:
      return note(v);
  }
}

function gateFields(stage: StageKey, v: Values): SafeHtml {
  const checked = (name: string, value: string) => v[name] === value && html` checked`;
  switch (stage) {
    case 'target-account-selection':
      return note(v);
    case 'door-opener':
      return html`<label for="meetingDate">${FIELD_LABELS.meetingDate}</label><input type="date" id="meetingDate" name="meetingDate" required value="${v.meetingDate ?? ''}">${note(v)}`;
    case 'joint-discovery':
      return html`<label for="briefUrl">${FIELD_LABELS.briefUrl}</label><input type="url" id="briefUrl" name="briefUrl" required placeholder="https://" value="${v.briefUrl ?? ''}">${note(v)}`;
    case 'joint-pursuit-and-proof':
      return html`<label class="choice"><input type="checkbox" id="customerConfirmation" name="customerConfirmation" value="yes" required${checked('customerConfirmation', 'yes')}> We confirm the path to a decision.</label>${note(v)}`;
    case 'close-register-review':
      return html`<fieldset><legend>${FIELD_LABELS.outcome}</legend><label class="choice"><input type="radio" name="outcome" value="won" required${checked('outcome', 'won')}> Won</label><label class="choice"><input type="radio" name="outcome" value="lost"${checked('outcome', 'lost')}> Lost</label></fieldset><label for="finalArr">${FIELD_LABELS.finalArr}</label><input type="number" id="finalArr" name="finalArr" min="0" step="1" required inputmode="numeric" value="${v.finalArr ?? ''}"><label for="lesson">${FIELD_LABELS.lesson}</label><textarea id="lesson" name="lesson" rows="4" maxlength="2000" required>${v.lesson ?? ''}</textarea>`;
  }
}
