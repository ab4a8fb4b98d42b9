import type { SesEvent } from '../../schemas/ses-event.schema';
import { type Deal, partyOwner } from '../deal';
import type {
  CalendarInvite,
  Deps,
  InvitationMailer,
  Mailer,
  OutboundEmail,
  PlanList,
  Suppression,
  SuppressionList,
  ViewsOf,
} from '../ports';

/**
 * Bounces and complaints (SES event publishing -> SNS -> ses-events): a hard bounce or a complaint
 * suppresses the address for this tenant, and the vendor owner of each active plan naming it is told once.
 * Every send then skips suppressed addresses (SuppressingMailer).
 */

/** Which addresses an event suppresses: permanent bounces and complaints only. */
export function suppressionsOf(event: SesEvent, now: Date): Suppression[] {
  const type = event.eventType ?? event.notificationType;
  const at = now.toISOString();
  if (type === 'Bounce' && event.bounce?.bounceType === 'Permanent') {
    return (event.bounce.bouncedRecipients ?? []).flatMap((r) =>
      r.emailAddress
        ? [
            {
              email: bareAddress(r.emailAddress),
              reason: 'bounce' as const,
              at,
              detail: `permanent bounce, ${event.bounce?.bounceSubType ?? 'General'}`,
            },
          ]
        : [],
    );
  }
  if (type === 'Complaint') {
    return (event.complaint?.complainedRecipients ?? []).flatMap((r) =>
      r.emailAddress
        ? [
            {
              email: bareAddress(r.emailAddress),
              reason: 'complaint' as const,
              at,
              detail: `complaint${event.complaint?.complaintFeedbackType ? `, ${event.complaint.complaintFeedbackType}` : ''}`,
            },
          ]
        : [],
    );
  }
  // Delivery, transient bounces (mailbox full, out of office) and Reject (virus) say nothing about the address.
  return [];
}

/** `Dana Whit <dana@x>` -> `dana@x`, lower-cased. */
export function bareAddress(value: string): string {
  const m = /<([^<>]+)>/.exec(value);
  return (m ? (m[1] as string) : value).trim().toLowerCase();
}

export interface SuppressionReport {
  suppressed: string[];
  notices: number;
}

/** Where a plan names an address: its owners, escalation ladders and milestone owners. */
export function rolesOf(
  deal: Deal,
  milestones: { title: string; owner: { email: string } }[],
  email: string,
) {
  const e = email.toLowerCase();
  const roles: string[] = [];
  for (const [party, o] of Object.entries(deal.plan.owners)) {
    if (o?.email.toLowerCase() === e) roles.push(`${party} owner (${o.name})`);
  }
  for (const [party, ladder] of Object.entries(deal.plan.escalation ?? {})) {
    for (const p of ladder ?? []) {
      if (p.email.toLowerCase() === e) roles.push(`${party} escalation path: ${p.role} (${p.name})`);
    }
  }
  for (const m of milestones) if (m.owner.email.toLowerCase() === e) roles.push(`owner of “${m.title}”`);
  return roles;
}

/**
 * Records each suppression an SES event carries and, for each active plan naming the address, tells the
 * vendor owner once (ledger key `suppression#<planId>#<email>`). The vendor owner's own address bouncing
 * goes to the vendor's first escalation rung instead. Rare events: listing the plans is acceptable here.
 */
export async function recordSesEvent(
  deps: Pick<Deps, 'store' | 'clock' | 'config' | 'mailer' | 'ledger'> &
    ViewsOf<'suppressionNotice'> & { store: PlanList; suppressions: SuppressionList },
  event: SesEvent,
): Promise<SuppressionReport> {
  const report: SuppressionReport = { suppressed: [], notices: 0 };
  const entries = suppressionsOf(event, deps.clock.now());
  if (entries.length === 0) return report;
  for (const entry of entries) {
    await deps.suppressions.suppress(entry);
    report.suppressed.push(entry.email);
  }
  const active = (await deps.store.list()).filter((p) => p.status === 'active');
  for (const summary of active) {
    const snapshot = await deps.store.get(summary.planId);
    if (snapshot?.deal.status !== 'active') continue;
    const { deal, milestones } = snapshot;
    for (const entry of entries) {
      const roles = rolesOf(deal, milestones, entry.email);
      if (roles.length === 0) continue;
      const to = noticeRecipient(deal, entry.email, deps.config.defaultTimezone);
      if (!to) continue;
      const key = `suppression#${deal.planId}#${entry.email}`;
      const sent = await deps.ledger.once(key, () =>
        deps.mailer.send(deps.views.suppressionNotice(deal, entry, roles, to, key)),
      );
      if (sent === 'done') report.notices++;
    }
  }
  return report;
}

function noticeRecipient(deal: Deal, suppressed: string, defaultTz: string) {
  const owner = partyOwner(deal, 'vendor', defaultTz);
  if (owner.email.toLowerCase() !== suppressed) return owner;
  const rung = deal.plan.escalation?.vendor?.find((p) => p.email.toLowerCase() !== suppressed);
  return rung ? { ...owner, name: rung.name, email: rung.email } : undefined;
}

/**
 * A mailer that drops suppressed recipients before sending, invitations included: an email left with
 * nobody to go to is not sent (and counts as done, so nobody retries it). Copies to suppressed addresses
 * are dropped too.
 */
export class SuppressingMailer implements Mailer, InvitationMailer {
  constructor(
    private readonly inner: Mailer & InvitationMailer,
    private readonly list: SuppressionList,
    /** Told about each email or recipient skipped (for the log). */
    private readonly onSkip: (email: OutboundEmail, skipped: string[]) => void = () => undefined,
  ) {}

  async send(email: OutboundEmail): Promise<void> {
    const kept = await this.keep(email);
    if (kept) await this.inner.send(kept);
  }

  async sendWithInvitation(email: OutboundEmail, invite: CalendarInvite): Promise<void> {
    const kept = await this.keep(email);
    if (kept) await this.inner.sendWithInvitation(kept, invite);
  }

  private async keep(email: OutboundEmail): Promise<OutboundEmail | undefined> {
    const skipped: string[] = [];
    const filter = async (list: string[]) => {
      const out: string[] = [];
      for (const address of list) {
        if (await this.list.isSuppressed(bareAddress(address))) skipped.push(address);
        else out.push(address);
      }
      return out;
    };
    const to = await filter(email.to);
    const cc = await filter(email.cc);
    if (skipped.length) this.onSkip(email, skipped);
    if (to.length === 0) return undefined;
    return skipped.length ? { ...email, to, cc } : email;
  }
}
