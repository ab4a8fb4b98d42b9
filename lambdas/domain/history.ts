import type { ActionResult } from './actions';
import type { LinkClaims } from './links';
import type {
  CalendarInvite,
  HistoryEntry,
  HistoryKind,
  HistoryStore,
  InvitationMailer,
  Mailer,
  OutboundEmail,
} from './ports';

/**
 * The deal's append-only trail. Recording never fails what it records: the change is already saved, so a
 * failed append becomes a warning (the history then misses that entry, and the log says so).
 */
export async function recordHistory(
  history: HistoryStore | undefined,
  planId: string,
  entries: (Omit<HistoryEntry, 'detail'> & { detail?: Record<string, unknown> })[],
  warnings: string[] = [],
): Promise<string[]> {
  if (!history || entries.length === 0) return warnings;
  try {
    await history.append(
      planId,
      entries.map((e) => ({ ...e, detail: withoutUndefined(e.detail ?? {}) })),
    );
  } catch (error) {
    warnings.push(`history not recorded: ${(error as Error).name}: ${(error as Error).message}`);
  }
  return warnings;
}

export function historyEntry(
  at: Date | string,
  by: string,
  kind: HistoryKind,
  detail: Record<string, unknown> = {},
): HistoryEntry {
  return { at: typeof at === 'string' ? at : at.toISOString(), by, kind, detail };
}

/** The history of one link action: the action with its evidence, the slip's impact, the gate it passed. */
export function actionHistory(
  claims: LinkClaims,
  evidence: unknown,
  result: ActionResult,
  now: Date,
): HistoryEntry[] {
  const entries = [
    historyEntry(now, claims.recipient, 'link-action', {
      action: claims.action,
      target: claims.target,
      evidence: evidence as Record<string, unknown>,
      message: result.message,
    }),
  ];
  if (result.impact) entries.push(historyEntry(now, claims.recipient, 'slip', { ...result.impact }));
  if (result.passed) {
    entries.push(historyEntry(now, claims.recipient, 'gate-passed', { ...result.passed }));
  }
  return entries;
}

/** Why each kind of email about a deal is sent, by the first segment of its ledger key. */
const WHY: Readonly<Record<string, string>> = {
  'gate-open': 'a gate opened: links for what it needs',
  'gate-overdue': 'a gate is past its deadline',
  'gate-escalation': 'an escalation up the ladder',
  amended: 'the plan was amended: new links',
  stuck: 'a milestone is stuck',
  slip: 'a milestone slipped',
  ghosting: 'a side went quiet',
  'fresh-link': 'a fresh link was asked for',
  handoff: 'a handoff waits to be accepted',
  overdue: 'a milestone is overdue',
  reminder: 'a milestone is due soon',
  early: 'a reminder ahead of the due date',
  review: 'the weekly review',
  suppression: 'an address stopped receiving mail',
};

/** Announcements are keyed `announce#<what>#<planId>#...` (announcements.ts). */
const ANNOUNCED: Readonly<Record<string, string>> = {
  'stage-passed': 'a stage passed: what was agreed and what comes next',
  closed: 'the deal closed: its outcome',
};

/**
 * The deal an email is about, and why it is sent, from its ledger key (`<kind>#<planId>#...`, or
 * `announce#<what>#<planId>#...`).
 */
export function emailAbout(key: string): { planId: string; why: string } | undefined {
  const [kind, planId, third] = key.split('#');
  if (kind === 'announce') {
    if (!planId || !third || !Object.hasOwn(ANNOUNCED, planId)) return undefined;
    return { planId: third, why: ANNOUNCED[planId] as string };
  }
  if (!kind || !planId || !Object.hasOwn(WHY, kind)) return undefined;
  return { planId, why: WHY[kind] as string };
}

/** Records every email about a deal it sends (to, subject, why) in that deal's history. */
export class HistoryMailer implements Mailer, InvitationMailer {
  constructor(
    private readonly inner: Mailer & InvitationMailer,
    private readonly history: HistoryStore,
    private readonly now: () => Date,
    private readonly warn: (message: string) => void = () => {},
  ) {}

  async send(email: OutboundEmail): Promise<void> {
    await this.inner.send(email);
    await this.record(email);
  }

  async sendWithInvitation(email: OutboundEmail, invite: CalendarInvite): Promise<void> {
    await this.inner.sendWithInvitation(email, invite);
    await this.record(email);
  }

  private async record(email: OutboundEmail): Promise<void> {
    const about = emailAbout(email.key);
    if (!about) return;
    const warnings = await recordHistory(this.history, about.planId, [
      historyEntry(this.now(), 'system', 'email', {
        to: email.to,
        ...(email.cc.length ? { cc: email.cc } : {}),
        subject: email.subject,
        why: about.why,
      }),
    ]);
    for (const w of warnings) this.warn(w);
  }
}

function withoutUndefined(detail: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(detail)) as Record<string, unknown>;
}
