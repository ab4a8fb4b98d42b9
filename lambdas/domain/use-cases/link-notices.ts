import { ESCALATED } from '../../schemas/events.schema';
import type { Notice } from '../actions';
import { type Deal, type Owner, partyOf, partyOwner } from '../deal';
import { escalatedDetail, publishOnce } from '../events';
import type { LinkClaims } from '../links';
import { ladderRungs } from '../notifications';
import { findPerson, peopleIn } from '../plan-people';
import { STAGES } from '../playbook';
import type { Deps, ViewsOf } from '../ports';
import { movedOwners } from '../slips';
import { linkAsks } from './link-urls';

/**
 * The emails a link action owes once its change is saved: a stuck report asks the owner's first rung for
 * help; a slip tells the vendor owner and everyone whose date moved. Each is sent once, by its key.
 */

export type NoticeDeps = Omit<Deps, 'views'> & ViewsOf<'escalation' | 'slipNotice' | 'digest'>;

/** Sends what the action owes; returns, for the page, who was asked for help on a stuck report. */
export async function sendNotices(
  deps: NoticeDeps,
  deal: Deal,
  notices: Notice[],
  claims: LinkClaims,
): Promise<string[]> {
  const tz = deps.config.defaultTimezone;
  const told: string[] = [];
  for (const notice of notices) {
    const m = notice.milestone;
    if (notice.kind === 'stuck') {
      // The first rung above the owner: an owner who is also on the ladder is not told about their own work.
      const now = deps.clock.now();
      const rung = ladderRungs(deal, [m.owner.party], now).find(
        (r) => r.email.toLowerCase() !== m.owner.email.toLowerCase(),
      );
      if (!rung) continue;
      // Within the rung's own delay of an earlier stuck report on this milestone, the rung is not asked again.
      const delayMs = rung.at.getTime() - now.getTime();
      const earlier = m.stuck.at(-1);
      if (earlier && now.getTime() - Date.parse(earlier.at) < delayMs) {
        told.push(
          `${rung.name} (${rung.role}) was asked for help on ${earlier.at.slice(0, 10)} and is not asked again so soon; your reason is recorded.`,
        );
        continue;
      }
      const key = `stuck#${deal.planId}#${m.milestoneId}#${claims.nonce}`;
      await deps.ledger.once(key, () =>
        deps.mailer.send(
          deps.views.escalation(
            deal,
            rung,
            m.owner,
            `“${m.title}” is stuck.`,
            [`${notice.by}: ${notice.reason}`, ...blockedBy(deal, m)],
            key,
          ),
        ),
      );
      told.push(
        `${rung.name} (${rung.role}) has been asked for help, with your reason and the deal room link.`,
      );
      const { stage } = m;
      const what = 'stuck' as const;
      const about = {
        key,
        what,
        stage,
        milestone: m,
        party: m.owner.party,
        rung,
        to: rung,
        reason: notice.reason,
      };
      await publishOnce(deps, ESCALATED, escalatedDetail(deal, about, deps.clock.now()));
    } else if (notice.kind === 'slipped') {
      const vendor = partyOwner(deal, 'vendor', tz);
      const vendorReported =
        partyOf(deal.plan, notice.by) === 'vendor' && vendor.email.toLowerCase() === notice.by.toLowerCase();
      if (notice.impact.choice === 'propose') await askToDecide(deps, deal, notice, vendor);
      else if (!vendorReported) {
        const key = `slip#${deal.planId}#${m.milestoneId}#${claims.nonce}`;
        await deps.ledger.once(key, () =>
          deps.mailer.send(deps.views.slipNotice(deal, notice.impact, m, notice.by, vendor, key)),
        );
      }
      await tellMovedOwners(deps, deal, notice, claims, [vendor.email]);
    } else {
      await tellDecision(deps, deal, notice, claims);
    }
  }
  return told;
}

/** A proposal to move the close date: the vendor owner gets the approval link, with the full re-plan. */
async function askToDecide(
  deps: NoticeDeps,
  deal: Deal,
  notice: Extract<Notice, { kind: 'slipped' }>,
  vendor: Owner,
): Promise<void> {
  const p = deal.slipProposal;
  if (!p) return;
  const key = `replan-proposal#${deal.planId}#${p.milestoneId}#${p.from}`;
  const reporter = findPerson(peopleIn(deal.plan), notice.by)?.name ?? notice.by;
  const text =
    `${reporter} slipped “${p.title}” to ${p.to} (${p.reason}) and proposes moving the close date from ` +
    `${p.replan.closeDate.from} to ${p.replan.closeDate.to}; ${p.replan.moved.length - 1} later milestone(s) would move by ${p.days} day(s). Approve or decline.`;
  await deps.ledger.once(key, async () => {
    const asks = await linkAsks(deps, deal, vendor.email, [
      {
        action: 'decide-replan',
        target: p.milestoneId,
        label: 'Approve or decline the re-plan',
        about: p.title,
      },
    ]);
    await deps.mailer.send(deps.views.digest(vendor, [{ deal, kind: 'due-soon', text, asks }], [], key));
  });
}

/**
 * The vendor owner decided. Approved: the customer sponsor is told the new close date, and everyone whose
 * date moved their new dates, once each. Declined: the reporter is told the close date holds.
 */
async function tellDecision(
  deps: NoticeDeps,
  deal: Deal,
  notice: Extract<Notice, { kind: 'replan-decided' }>,
  claims: LinkClaims,
): Promise<void> {
  const p = notice.proposal;
  const base = `replan#${deal.planId}#${p.milestoneId}#${p.from}`;
  if (notice.decision === 'approve') {
    const sponsor = deal.plan.owners.customer;
    if (sponsor) {
      const to = partyOwner(deal, 'customer', deps.config.defaultTimezone);
      const key = `${base}#approved#${to.email.toLowerCase()}`;
      const impact = notice.impact;
      await deps.ledger.once(key, () =>
        deps.mailer.send(deps.views.slipNotice(deal, impact, notice.milestone, p.by, to, key)),
      );
    }
    await tellMovedOwners(deps, deal, notice, claims, sponsor ? [sponsor.email] : []);
    return;
  }
  const person = findPerson(peopleIn(deal.plan), p.by);
  const key = `${base}#declined`;
  const text = `The vendor owner declined moving the close date for “${p.title}”: the close date holds (${deal.plan.jointOutcome.closeDate}), and “${p.title}” stays due ${p.to}. Absorb the slip with the team, or report a new date.`;
  await deps.ledger.once(key, () =>
    deps.mailer.send(
      deps.views.digest(
        { name: person?.name ?? p.by, email: p.by },
        [{ deal, kind: 'escalation', text }],
        [],
        key,
      ),
    ),
  );
}

/**
 * Everyone whose date a slip moved gets one message with their new dates, the reason and who reported it
 * (the reporter and the vendor owner, told above, excepted).
 */
async function tellMovedOwners(
  deps: NoticeDeps,
  deal: Deal,
  notice: Extract<Notice, { kind: 'slipped' | 'replan-decided' }>,
  claims: LinkClaims,
  told: string[],
): Promise<void> {
  const snapshot = await deps.store.get(deal.planId);
  const milestones = snapshot?.milestones ?? [];
  const skip = new Set([notice.by, ...told].map((e) => e.toLowerCase()));
  for (const owner of movedOwners(milestones, notice.impact)) {
    if (skip.has(owner.email.toLowerCase())) continue;
    const m = milestones.find((x) => x.milestoneId === owner.items[0]?.milestoneId);
    if (!m) continue;
    const key = `slip#${deal.planId}#${notice.milestone.milestoneId}#${claims.nonce}#${owner.email.toLowerCase()}`;
    const impact = { ...notice.impact, moved: owner.items };
    const reporter = notice.kind === 'slipped' ? notice.by : notice.proposal.by;
    await deps.ledger.once(key, () =>
      deps.mailer.send(deps.views.slipNotice(deal, impact, notice.milestone, reporter, m.owner, key)),
    );
  }
}

/** What a stuck milestone holds up: its stage's gate, and the handoff it passes on. */
function blockedBy(deal: Deal, m: Notice['milestone']): string[] {
  const stage = STAGES[m.stage];
  const lines = [
    `Blocked: the stage ${stage.number} gate, ${stage.title} (${deal.plan.stages[m.stage].exit})`,
  ];
  if (m.handoff) lines.push(`Blocked: the handoff from ${m.handoff.from} to ${m.handoff.to}`);
  return lines;
}
