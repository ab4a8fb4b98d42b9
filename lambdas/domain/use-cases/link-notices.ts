import { ESCALATED } from '../../schemas/events.schema';
import type { Notice } from '../actions';
import { type Deal, partyOf, partyOwner } from '../deal';
import { escalatedDetail, publishOnce } from '../events';
import type { LinkClaims } from '../links';
import { ladderRungs } from '../notifications';
import { STAGES } from '../playbook';
import type { Deps, ViewsOf } from '../ports';
import { movedOwners } from '../slips';

/**
 * The emails a link action owes once its change is saved: a stuck report asks the owner's first rung for
 * help; a slip tells the vendor owner and everyone whose date moved. Each is sent once, by its key.
 */

export type NoticeDeps = Omit<Deps, 'views'> & ViewsOf<'escalation' | 'slipNotice'>;

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
    } else {
      const vendor = partyOwner(deal, 'vendor', tz);
      if (
        partyOf(deal.plan, notice.by) === 'vendor' &&
        vendor.email.toLowerCase() === notice.by.toLowerCase()
      ) {
        await tellMovedOwners(deps, deal, notice, claims, vendor.email);
        continue;
      }
      const key = `slip#${deal.planId}#${m.milestoneId}#${claims.nonce}`;
      await deps.ledger.once(key, () =>
        deps.mailer.send(deps.views.slipNotice(deal, notice.impact, m, notice.by, vendor, key)),
      );
      await tellMovedOwners(deps, deal, notice, claims, vendor.email);
    }
  }
  return told;
}

/**
 * Everyone whose date a slip moved gets one message with their new dates, the reason and who reported it
 * (the reporter and the vendor owner, told above, excepted).
 */
async function tellMovedOwners(
  deps: NoticeDeps,
  deal: Deal,
  notice: Extract<Notice, { kind: 'slipped' }>,
  claims: LinkClaims,
  vendorEmail: string,
): Promise<void> {
  const snapshot = await deps.store.get(deal.planId);
  const milestones = snapshot?.milestones ?? [];
  const skip = new Set([notice.by.toLowerCase(), vendorEmail.toLowerCase()]);
  for (const owner of movedOwners(milestones, notice.impact)) {
    if (skip.has(owner.email.toLowerCase())) continue;
    const m = milestones.find((x) => x.milestoneId === owner.items[0]?.milestoneId);
    if (!m) continue;
    const key = `slip#${deal.planId}#${notice.milestone.milestoneId}#${claims.nonce}#${owner.email.toLowerCase()}`;
    const impact = { ...notice.impact, moved: owner.items };
    await deps.ledger.once(key, () =>
      deps.mailer.send(deps.views.slipNotice(deal, impact, notice.milestone, notice.by, m.owner, key)),
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
