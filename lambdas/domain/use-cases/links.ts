import type * as z from 'zod/mini';
import {
  acceptHandoffSchema,
  gateEvidenceSchemas,
  milestoneDoneSchema,
  milestoneSlipSchema,
  milestoneStuckSchema,
  waiveMilestoneSchema,
} from '../../schemas/action.schema';
import { formatIssues } from '../../schemas/validation';
import { type ActionTarget, checkLinkTarget, type Notice, performAction } from '../actions';
import { type Deal, partyOf, partyOwner } from '../deal';
import { escalationEmail, slipNoticeEmail } from '../emails';
import { ConcurrentUpdateError, LinkUsedError } from '../errors';
import { type LinkAction, type LinkClaims, verifyLink } from '../links';
import { ladderRungs } from '../notifications';
import type { DealSnapshot, Deps } from '../ports';

/** What the link page shows. The handler renders it; the use case decides it. */
export type LinkPage =
  | { kind: 'form'; status: 200; claims: LinkClaims; deal: Deal; target: ActionTarget; errors?: FieldError[] }
  | { kind: 'done'; status: 200; claims: LinkClaims; deal: Deal; message: string; warnings?: string[] }
  | { kind: 'refused'; status: number; reason: Refusal; message: string };

export type Refusal = 'invalid' | 'expired' | 'used' | 'superseded' | 'already-done' | 'not-allowed';
export interface FieldError {
  path: string;
  message: string;
}

const REFUSAL_STATUS: Record<Refusal, number> = {
  invalid: 404,
  expired: 410,
  used: 409,
  superseded: 410,
  'already-done': 409,
  'not-allowed': 403,
};

const MAX_ATTEMPTS = 25;

function refused(reason: Refusal, message: string): LinkPage {
  return { kind: 'refused', status: REFUSAL_STATUS[reason], reason, message };
}

type Live = { claims: LinkClaims; snapshot: DealSnapshot; target: ActionTarget };

/** Verifies the token and that its target is still live. Reads only: safe for GET, HEAD and scanners. */
async function resolve(
  deps: Pick<Deps, 'keys' | 'config' | 'clock' | 'store'>,
  token: string,
): Promise<Live | LinkPage> {
  const check = await verifyLink(deps.config.tenant, token, deps.keys, deps.clock.now());
  if (!check.ok) {
    return check.reason === 'expired'
      ? refused('expired', 'This link has expired. Ask the deal owner for a fresh one.')
      : refused('invalid', 'This link is not valid. Check that it was copied whole from the email.');
  }
  const { claims } = check;
  const snapshot = await deps.store.get(claims.planId);
  if (!snapshot) return refused('invalid', 'This link is not valid: its deal does not exist.');
  const used = await deps.store.linkUse(claims.nonce);
  if (used)
    return refused(
      'used',
      `This link was already used by ${used.usedBy} at ${used.usedAt}. Nothing was changed.`,
    );
  const live = checkLinkTarget(claims, snapshot.deal, snapshot.milestones);
  if (!live.ok) return refused(live.reason, live.message);
  return { claims, snapshot, target: live.target };
}

export async function viewLink(
  deps: Pick<Deps, 'keys' | 'config' | 'clock' | 'store'>,
  token: string,
): Promise<LinkPage> {
  const live = await resolve(deps, token);
  if ('kind' in live) return live;
  return { kind: 'form', status: 200, claims: live.claims, deal: live.snapshot.deal, target: live.target };
}

/** Performs the link's one action with the form's input; the link's nonce is claimed with the change. */
export async function actOnLink(
  deps: Omit<Deps, 'events'>,
  token: string,
  form: Record<string, string>,
): Promise<LinkPage> {
  for (let attempt = 1; ; attempt++) {
    const live = await resolve(deps, token);
    if ('kind' in live) return live;
    const { claims, snapshot, target } = live;
    const parsed = inputSchema(claims.action, target).safeParse(form);
    if (!parsed.success)
      return {
        kind: 'form',
        status: 200,
        claims,
        deal: snapshot.deal,
        target,
        errors: formatIssues(parsed.error),
      };
    const now = deps.clock.now();
    let result: ReturnType<typeof performAction>;
    try {
      result = performAction(
        claims,
        target,
        parsed.data as Record<string, string>,
        snapshot.deal,
        snapshot.milestones,
        now,
      );
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      return {
        kind: 'form',
        status: 200,
        claims,
        deal: snapshot.deal,
        target,
        errors: [{ path: 'newDue', message: error.message }],
      };
    }
    try {
      await deps.store.save({
        deal: result.deal,
        milestones: result.milestones,
        linkUse: {
          nonce: claims.nonce,
          planId: claims.planId,
          action: claims.action,
          target: claims.target,
          usedAt: now.toISOString(),
          usedBy: claims.recipient,
          expiresAt: claims.exp + 86_400,
        },
      });
    } catch (error) {
      if (error instanceof LinkUsedError) continue; // resolve() now reports who used it
      if (error instanceof ConcurrentUpdateError && attempt < MAX_ATTEMPTS) {
        await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
        continue;
      }
      throw error;
    }
    // The change is saved and the link spent: what follows must not turn the answer into a failure.
    const warnings: string[] = [];
    const { passed } = result;
    const taskToken = snapshot.deal.taskToken;
    if (passed && taskToken) {
      // If the token no longer waits (its gate timed out meanwhile), the gate's next wait completes itself.
      await afterSave(warnings, 'workflow callback', () =>
        deps.workflow.completeGate(taskToken, { outcome: passed.outcome }),
      );
    }
    await afterSave(warnings, 'notice emails', () => sendNotices(deps, result.deal, result.notices, claims));
    return {
      kind: 'done',
      status: 200,
      claims,
      deal: result.deal,
      message: result.message,
      ...(warnings.length ? { warnings } : {}),
    };
  }
}

/** Runs a follow-up of a saved change, retrying once; a failure becomes a warning for the log. */
async function afterSave(warnings: string[], what: string, run: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      await run();
      return;
    } catch (error) {
      if (attempt === 2)
        warnings.push(
          `${what} failed after the change was saved: ${(error as Error).name}: ${(error as Error).message}`,
        );
    }
  }
}

function inputSchema(action: LinkAction, target: ActionTarget): z.ZodMiniType {
  switch (action) {
    case 'confirm-gate':
      return gateEvidenceSchemas[target.stage];
    case 'milestone-done':
      return milestoneDoneSchema;
    case 'milestone-slip':
      return milestoneSlipSchema;
    case 'milestone-stuck':
      return milestoneStuckSchema;
    case 'accept-handoff':
      return acceptHandoffSchema;
    case 'waive-milestone':
      return waiveMilestoneSchema;
  }
}

async function sendNotices(
  deps: Omit<Deps, 'events'>,
  deal: Deal,
  notices: Notice[],
  claims: LinkClaims,
): Promise<void> {
  const tz = deps.config.defaultTimezone;
  for (const notice of notices) {
    const m = notice.milestone;
    if (notice.kind === 'stuck') {
      // The first rung above the owner: an owner who is also on the ladder is not told about their own work.
      const rung = ladderRungs(deal, [m.owner.party], deps.clock.now()).find(
        (r) => r.email.toLowerCase() !== m.owner.email.toLowerCase(),
      );
      if (!rung) continue;
      const key = `stuck#${deal.planId}#${m.milestoneId}#${claims.nonce}`;
      await deps.ledger.once(key, () =>
        deps.mailer.send(
          escalationEmail(
            deal,
            rung,
            m.owner,
            `“${m.title}” is stuck.`,
            [`${notice.by}: ${notice.reason}`],
            key,
          ),
        ),
      );
    } else {
      const vendor = partyOwner(deal, 'vendor', tz);
      if (
        partyOf(deal.plan, notice.by) === 'vendor' &&
        vendor.email.toLowerCase() === notice.by.toLowerCase()
      )
        continue;
      const key = `slip#${deal.planId}#${m.milestoneId}#${claims.nonce}`;
      await deps.ledger.once(key, () =>
        deps.mailer.send(slipNoticeEmail(deal, notice.impact, m, notice.by, vendor, key)),
      );
    }
  }
}
