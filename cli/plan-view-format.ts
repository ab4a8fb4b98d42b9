import { type Column, formatNumber, renderMarkdownTable, renderTable } from './table-format';

/**
 * How the CLI shows plans. The types are the HTTP API's answers as the CLI reads them (a client's view,
 * not the domain's types): fields may be added by newer servers and are then ignored.
 */

export interface PlanSummary {
  planId: string;
  name: string;
  partner: string;
  account?: string;
  stage: string;
  status: string;
  updatedAt?: string;
  /** Set while the deal cannot go on without a fix (an email refused, a workflow stopped). */
  needsAttention?: NeedsAttentionView;
}

export interface NeedsAttentionView {
  what: string;
  error: string;
  since: string;
}

export interface Confirmation {
  party: string;
  by: string;
  at: string;
  evidence?: Record<string, unknown>;
}

export interface StageView {
  key: string;
  status: string;
  openedAt?: string;
  passedAt?: string;
  confirmations?: Confirmation[];
  waitingFor?: { confirmations?: string[]; milestones?: string[] };
}

export interface MilestoneView {
  id: string;
  stage: string;
  title: string;
  owner: { party: string; name: string; email: string };
  due: string;
  status: string;
  handoff?: { from: string; to: string; acceptedAt?: string; acceptedBy?: string };
  slips?: { from: string; to: string; at?: string; by?: string; reason?: string }[];
}

export interface PlanView {
  planId: string;
  name: string;
  partner: string;
  account?: string;
  status: string;
  stage: string;
  attribution?: string;
  closeDate?: string;
  stages?: StageView[];
  milestones?: MilestoneView[];
  outcome?: {
    result: string;
    finalArr?: number;
    currency?: string;
    lesson?: string;
    at?: string;
    by?: string;
  };
  registeredAt?: string;
  needsAttention?: NeedsAttentionView;
  createdAt?: string;
  updatedAt?: string;
}

/** `2026-11-23T14:05:00.000Z` -> `2026-11-23 14:05Z`; other text unchanged. */
export function shortInstant(value: string | undefined): string {
  if (!value) return '';
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(value);
  return m ? `${m[1]} ${m[2]}Z` : value;
}

export const planListColumns: Column<PlanSummary>[] = [
  { header: 'PLAN', value: (p) => p.planId },
  { header: 'NAME', value: (p) => p.name },
  { header: 'PARTNER', value: (p) => p.partner },
  { header: 'ACCOUNT', value: (p) => p.account },
  { header: 'STAGE', value: (p) => p.stage },
  { header: 'STATUS', value: (p) => p.status },
];

export function formatPlanList(plans: readonly PlanSummary[]): string {
  if (plans.length === 0) return 'No plans yet. Load one with: cosell plan create FILE';
  const table = `${renderTable(planListColumns, plans)}\n\n${plans.length} plan${plans.length === 1 ? '' : 's'}`;
  const stuck = plans.filter((p) => p.needsAttention);
  if (stuck.length === 0) return table;
  const lines = stuck.map((p) => `  ${p.planId}: ${attentionText(p.needsAttention as NeedsAttentionView)}`);
  return `${table}\n\nNeeds attention (fix, then: cosell plan retry ID):\n${lines.join('\n')}`;
}

function attentionText(a: NeedsAttentionView): string {
  return `${a.what} since ${shortInstant(a.since)} (${a.error})`;
}

function stageNumber(plan: PlanView): string {
  const index = plan.stages?.findIndex((s) => s.key === plan.stage) ?? -1;
  const total = plan.stages?.length ?? 5;
  return index >= 0 ? `stage ${index + 1} of ${total} (${plan.stage})` : plan.stage;
}

function waitingFor(stage: StageView): string {
  if (stage.status === 'passed') return '';
  const parts: string[] = [];
  const confirmations = stage.waitingFor?.confirmations ?? [];
  const milestones = stage.waitingFor?.milestones ?? [];
  if (milestones.length > 0) parts.push(`milestones: ${milestones.join(', ')}`);
  if (confirmations.length > 0) parts.push(`confirmation: ${confirmations.join(', ')}`);
  return parts.join('; ');
}

function ownerText(m: MilestoneView): string {
  return `${m.owner.name} (${m.owner.party}) <${m.owner.email}>`;
}

function dueText(m: MilestoneView): string {
  const slips = m.slips ?? [];
  const first = slips[0];
  return first
    ? `${m.due} (slipped from ${first.from}${slips.length > 1 ? `, ${slips.length} slips` : ''})`
    : m.due;
}

function handoffText(m: MilestoneView): string {
  if (!m.handoff) return '';
  const accepted = m.handoff.acceptedAt
    ? `accepted ${shortInstant(m.handoff.acceptedAt)}`
    : 'not accepted yet';
  return `${m.handoff.from} -> ${m.handoff.to}, ${accepted}`;
}

function evidenceText(evidence: Confirmation['evidence']): string {
  return Object.entries(evidence ?? {})
    .map(([key, value]) => `${key}: ${String(value)}`)
    .join('; ');
}

const stageColumns = (plan: PlanView): Column<StageView>[] => [
  { header: '#', value: (s) => (plan.stages?.indexOf(s) ?? 0) + 1, align: 'right' },
  { header: 'STAGE', value: (s) => s.key },
  { header: 'STATUS', value: (s) => s.status },
  { header: 'OPENED', value: (s) => shortInstant(s.openedAt) },
  { header: 'PASSED', value: (s) => shortInstant(s.passedAt) },
  { header: 'WAITING FOR', value: waitingFor },
];

const milestoneColumns: Column<MilestoneView>[] = [
  { header: 'STAGE', value: (m) => m.stage },
  { header: 'MILESTONE', value: (m) => `${m.title} [${m.id}]` },
  { header: 'OWNER', value: ownerText },
  { header: 'DUE', value: dueText },
  { header: 'STATUS', value: (m) => m.status },
  { header: 'HANDOFF', value: handoffText },
];

type ConfirmationRow = Confirmation & { stage: string };

const confirmationColumns: Column<ConfirmationRow>[] = [
  { header: 'STAGE', value: (c) => c.stage },
  { header: 'PARTY', value: (c) => c.party },
  { header: 'BY', value: (c) => c.by },
  { header: 'AT', value: (c) => shortInstant(c.at) },
  { header: 'EVIDENCE', value: (c) => evidenceText(c.evidence) },
];

function confirmationsOf(plan: PlanView): ConfirmationRow[] {
  return (plan.stages ?? []).flatMap((s) => (s.confirmations ?? []).map((c) => ({ ...c, stage: s.key })));
}

function outcomeText(plan: PlanView): string | undefined {
  const o = plan.outcome;
  if (!o) return undefined;
  const arr =
    o.finalArr !== undefined ? `, final ARR ${formatNumber(o.finalArr)} ${o.currency ?? ''}`.trimEnd() : '';
  const lesson = o.lesson ? `; lesson: ${o.lesson}` : '';
  return `${o.result}${arr}${lesson}`;
}

function facts(plan: PlanView): [string, string][] {
  const rows: [string, string | undefined][] = [
    ['Plan', plan.planId],
    ['Partner', plan.partner],
    ['Account', plan.account],
    ['Status', `${plan.status}, ${stageNumber(plan)}`],
    ['Attribution', plan.attribution],
    ['Close date', plan.closeDate],
    ['Outcome', outcomeText(plan)],
    ['Registered', shortInstant(plan.registeredAt) || undefined],
    ['Needs attention', plan.needsAttention ? attentionText(plan.needsAttention) : undefined],
    ['Updated', shortInstant(plan.updatedAt) || undefined],
  ];
  return rows.filter((row): row is [string, string] => row[1] !== undefined && row[1] !== '');
}

/** The plan as the terminal shows it: facts, then stages, milestones and confirmations as tables. */
export function formatPlanText(plan: PlanView): string {
  const width = Math.max(...facts(plan).map(([label]) => label.length));
  const out = [
    plan.name,
    ...facts(plan).map(([label, value]) => `  ${`${label}:`.padEnd(width + 1)}  ${value}`),
  ];
  out.push('', 'Stages', renderTable(stageColumns(plan), plan.stages ?? []));
  out.push('', 'Milestones', renderTable(milestoneColumns, plan.milestones ?? []));
  const confirmations = confirmationsOf(plan);
  out.push(
    '',
    'Confirmations',
    confirmations.length ? renderTable(confirmationColumns, confirmations) : '  none yet',
  );
  return out.join('\n');
}

/** The plan as readable Markdown (for a wiki page, a ticket or the weekly review's notes). */
export function formatPlanMarkdown(plan: PlanView): string {
  const mdColumns = <Row>(columns: Column<Row>[]) =>
    columns.map((c) => ({
      ...c,
      header: c.header === '#' ? '#' : c.header[0] + c.header.slice(1).toLowerCase(),
    }));
  const out = [`# ${plan.name}`, '', ...facts(plan).map(([label, value]) => `- **${label}:** ${value}`)];
  out.push('', '## Stages', '', renderMarkdownTable(mdColumns(stageColumns(plan)), plan.stages ?? []));
  out.push('', '## Milestones', '', renderMarkdownTable(mdColumns(milestoneColumns), plan.milestones ?? []));
  const confirmations = confirmationsOf(plan);
  out.push(
    '',
    '## Confirmations',
    '',
    confirmations.length ? renderMarkdownTable(mdColumns(confirmationColumns), confirmations) : '_None yet._',
  );
  return `${out.join('\n')}\n`;
}
