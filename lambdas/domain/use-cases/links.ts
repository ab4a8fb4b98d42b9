import type * as z from 'zod/mini';
import {
  acceptHandoffSchema,
  decideReplanSchema,
  gateEvidenceSchemas,
  milestoneDoneSchema,
  milestoneSlipSchema,
  milestoneStuckSchema,
  waiveMilestoneSchema,
} from '../../schemas/action.schema';
import { MILESTONE_SLIPPED } from '../../schemas/events.schema';
import { formatIssues } from '../../schemas/validation';
import {
  type ActionResult,
  type ActionTarget,
  checkLinkTarget,
  performAction,
  type SlipImpact,
} from '../actions';
import { DeliveryRejectedError } from '../cadence';
import type { Deal } from '../deal';
import { LinkUsedError } from '../errors';
import { milestoneSlippedDetail, publishOnce } from '../events';
import { withFreshRead } from '../fresh-read';
import { actionHistory, recordHistory } from '../history';
import {
  type LinkAction,
  type LinkClaims,
  linkExpired,
  maskEmail,
  verifyLink,
  verifyLinkIgnoringExpiry,
} from '../links';
import type { DealSnapshot, Deps, HistoryStore, ViewsOf } from '../ports';
import { previewSlip, type SlipPreview } from '../slips';
import { passAnnouncements, silenceWatch } from './announcements';
import { type LinkContext, linkContext, recipientOf } from './link-context';
import { sendNotices } from './link-notices';
import { linkAsks } from './link-urls';
import { roomLink } from './room';

export type { LinkContext } from './link-context';

/** What the link page shows. The handler renders it; the use case decides it. */
export type LinkPage =
  | {
      kind: 'form';
      status: 200;
      claims: LinkClaims;
      deal: Deal;
      target: ActionTarget;
      errors?: FieldError[];
      /** What was typed, shown again with the errors (never the intent field). */
      values?: Record<string, string>;
      /** A slip's impact, shown before anything is saved: the reporter then absorbs or proposes. */
      preview?: SlipPreview;
    }
  | {
      kind: 'done';
      status: 200;
      claims: LinkClaims;
      deal: Deal;
      message: string;
      warnings?: string[];
      /** What a slip moved. */
      impact?: SlipImpact;
      /** The acting person's view link to the deal room ("See the whole deal" instead of "close this page"). */
      roomUrl?: string;
    }
  | {
      kind: 'refused';
      status: number;
      reason: Refusal;
      message: string;
      /** On an expired page whose target is still live: the (masked) address a fresh link would go to. */
      freshLinkTo?: string;
      /** On a used or expired page: which deal and which step the link was for, and when, for its reader. */
      context?: LinkContext;
    }
  | { kind: 'fresh-link'; status: 200; sentTo: string; message: string };

/** The form field that turns a POST into a "send me a fresh link" request. */
export const FRESH_LINK_INTENT = 'fresh-link';

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

type RefusedPage = Extract<LinkPage, { kind: 'refused' }>;

function refused(reason: Refusal, message: string): RefusedPage {
  return { kind: 'refused', status: REFUSAL_STATUS[reason], reason, message };
}

type Live = { claims: LinkClaims; snapshot: DealSnapshot; target: ActionTarget };
type ReadDeps = Pick<Deps, 'keys' | 'config' | 'clock' | 'store'>;
/** What acting on a link needs: the deal's ports and the emails a click may send. */
type ActDeps = Omit<Deps, 'views'> &
  ViewsOf<'escalation' | 'slipNotice' | 'freshLink' | 'digest'> & {
    history?: HistoryStore;
  };

/** Verifies the token and that its target is still live. Reads only: safe for GET, HEAD and scanners. */
async function resolve(deps: ReadDeps, token: string): Promise<Live | LinkPage> {
  const check = await verifyLink(deps.config.tenant, token, deps.keys, deps.clock.now());
  if (check.ok) return liveTarget(deps, check.claims);
  if (check.reason === 'expired') return expired(deps, check.claims);
  return refused('invalid', 'This link is not valid. Check that it was copied whole from the email.');
}

/** Whether a well-signed link's target still waits for it: the deal exists, the link is unused, the target live. */
async function liveTarget(deps: ReadDeps, claims: LinkClaims, read?: DealSnapshot): Promise<Live | LinkPage> {
  const snapshot = read ?? (await deps.store.get(claims.planId));
  if (!snapshot) return refused('invalid', 'This link is not valid: its deal does not exist.');
  const used = await deps.store.linkUse(claims.nonce);
  if (used) {
    return {
      ...refused('used', 'Nothing was changed.'),
      context: { ...linkContext(deps, claims, snapshot), usedAt: used.usedAt },
    };
  }
  const live = checkLinkTarget(claims, snapshot.deal, snapshot.milestones);
  if (!live.ok && live.reason === 'already-done' && live.done) {
    const by = recipientOf(deps, snapshot.deal, live.done.by).name;
    return {
      ...refused(live.reason, live.message),
      context: { ...linkContext(deps, claims, snapshot), done: { by, at: live.done.at } },
    };
  }
  if (!live.ok) return refused(live.reason, live.message);
  return { claims, snapshot, target: live.target };
}

/** The expired page: it offers a fresh link only when one would still have something to do. */
async function expired(deps: ReadDeps, claims: LinkClaims): Promise<LinkPage> {
  const expiredAt = new Date(claims.exp * 1000).toISOString();
  const snapshot = await deps.store.get(claims.planId);
  const live = await liveTarget(deps, claims, snapshot);
  if ('kind' in live) {
    if (live.kind !== 'refused') return refused('expired', 'This link has expired.');
    // Without the deal (it is gone) nothing says which deal or step it was.
    const context = live.context ?? (snapshot && linkContext(deps, claims, snapshot));
    return {
      ...refused('expired', `This link has expired. ${live.message}`),
      ...(context ? { context: { ...context, expiredAt } } : {}),
    };
  }
  return {
    kind: 'refused',
    status: REFUSAL_STATUS.expired,
    reason: 'expired',
    message: 'This link has expired.',
    freshLinkTo: maskEmail(claims.recipient),
    context: { ...linkContext(deps, claims, live.snapshot), expiredAt },
  };
}

export async function viewLink(deps: ReadDeps, token: string): Promise<LinkPage> {
  const live = await resolve(deps, token);
  if ('kind' in live) return live;
  return { kind: 'form', status: 200, claims: live.claims, deal: live.snapshot.deal, target: live.target };
}

/**
 * Performs the link's one action with the form's input; the link's nonce is claimed with the change.
 * The expired page's form (`intent=fresh-link`) asks for a fresh link instead.
 */
export async function actOnLink(
  deps: ActDeps,
  token: string,
  form: Record<string, string>,
): Promise<LinkPage> {
  if (form.intent === FRESH_LINK_INTENT) return requestFreshLink(deps, token);
  return withFreshRead(MAX_ATTEMPTS, async (attempt) => {
    // Many clicks on one deal at once: each fresh read after a lost race waits a little longer.
    if (attempt > 1) await new Promise((r) => setTimeout(r, Math.random() * 20 * (attempt - 1)));
    const live = await resolve(deps, token);
    if ('kind' in live) return live;
    const { claims, snapshot, target } = live;
    const parsed = inputSchema(claims.action, target).safeParse(form);
    // Invalid input shows the form again with what to fix; nothing is claimed or changed.
    const formAgain = (errors: FieldError[]): LinkPage => ({
      kind: 'form',
      status: 200,
      claims,
      deal: snapshot.deal,
      target,
      errors,
      values: form,
    });
    if (!parsed.success) return formAgain(formatIssues(parsed.error));
    // A slip is first shown as its impact, saving nothing; the reporter's choice comes with the next POST.
    if (claims.action === 'milestone-slip' && !form.choice && target.milestone) {
      try {
        const preview = previewSlip(
          snapshot.deal,
          snapshot.milestones,
          target.milestone,
          String(form.newDue),
        );
        return { kind: 'form', status: 200, claims, deal: snapshot.deal, target, values: form, preview };
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
        return formAgain([{ path: 'newDue', message: error.message }]);
      }
    }
    const now = deps.clock.now();
    let result: ActionResult;
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
      return formAgain([{ path: 'newDue', message: error.message }]);
    }
    // What a passed gate announces is held in the same save: never lost, sent once by `announce` on the
    // deal event that follows, or by the sweep (announcements.ts). So is a silence watch when the gate is
    // left waiting only on confirmations.
    const announcements = [
      ...(result.passed
        ? passAnnouncements(result.deal, result.passed, now, deps.config.defaultTimezone)
        : []),
      ...silenceWatch(result.deal, [...snapshot.milestones, ...result.milestones], now, deps.config),
    ];
    try {
      await deps.store.save({
        deal: result.deal,
        milestones: result.milestones,
        ...(announcements.length ? { announcements } : {}),
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
      // Used meanwhile by someone else: resolve() now reports who.
      const again = error instanceof LinkUsedError ? await resolve(deps, token) : undefined;
      if (again && 'kind' in again) return again;
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
    let told: string[] = [];
    await afterSave(warnings, 'notice emails', async () => {
      told = await sendNotices(deps, result.deal, result.notices, claims);
    });
    await afterSave(warnings, 'events', () => publishEvents(deps, result));
    await recordHistory(
      deps.history,
      claims.planId,
      actionHistory(claims, parsed.data, result, now),
      warnings,
    );
    return {
      kind: 'done',
      status: 200,
      claims,
      deal: result.deal,
      // A stuck report says who was asked for help, by name.
      message: told.length
        ? result.message.replace('Your escalation path has been told.', told.join(' '))
        : result.message,
      ...(warnings.length ? { warnings } : {}),
      ...(result.impact ? { impact: result.impact } : {}),
      ...(await roomLink(deps, claims.planId, claims.recipient).then(
        (r) => ({ roomUrl: r.url }),
        () => ({}),
      )),
    };
  });
}

/**
 * "Send me a fresh link", from an expired link's page. The token must be authentic (only its expiry is
 * ignored) and its target still live; one new link for the same action and target goes to the address the
 * old link was bound to, and only once per old link (the ledger key is the old nonce). Nothing in the deal
 * changes. A link that has not expired gets its own page back instead.
 */
export async function requestFreshLink(
  deps: Pick<Deps, 'keys' | 'config' | 'clock' | 'store' | 'ledger' | 'mailer'> & ViewsOf<'freshLink'>,
  token: string,
): Promise<LinkPage> {
  const check = await verifyLinkIgnoringExpiry(deps.config.tenant, token, deps.keys);
  if (!check.ok) {
    return refused('invalid', 'This link is not valid. Check that it was copied whole from the email.');
  }
  const { claims } = check;
  if (!linkExpired(claims, deps.clock.now())) return viewLink(deps, token);
  const live = await liveTarget(deps, claims);
  if ('kind' in live) return live;
  const { deal } = live.snapshot;
  const what = about(live);
  const sentTo = maskEmail(claims.recipient);
  const key = `fresh-link#${claims.planId}#${claims.nonce}`;
  let outcome: 'done' | 'already-done' | 'in-progress';
  try {
    outcome = await sendFreshLink();
  } catch (error) {
    // Another click holds the same ledger key right now: that one is sending it, so it is already on its way.
    if ((error as Error)?.name === 'EffectInProgressError') outcome = 'in-progress';
    else if (error instanceof DeliveryRejectedError) {
      return refused(
        'not-allowed',
        `The fresh link could not be delivered to ${sentTo}. Ask the deal's owner for help.`,
      );
    } else throw error;
  }
  return {
    kind: 'fresh-link',
    status: 200,
    sentTo,
    message:
      outcome === 'done'
        ? `A fresh link was sent to ${sentTo}. It works once, for you only.`
        : outcome === 'in-progress'
          ? `A fresh link for this is being sent to ${sentTo} right now. Use the link in that email.`
          : `A fresh link for this was already sent to ${sentTo}. Use the link in that email.`,
  };

  function sendFreshLink() {
    return deps.ledger.once(key, async () => {
      const [link] = await linkAsks(deps, deal, claims.recipient, [
        {
          action: claims.action,
          target: claims.target,
          about: what,
        },
      ]);
      if (!link) throw new Error('no fresh link was signed');
      // The same expiry linkAsks signed into the link: whole seconds from now.
      const exp = Math.floor(deps.clock.now().getTime() / 1000) + deps.config.linkTtlDays * 86_400;
      const expiresAt = new Date(exp * 1000);
      await deps.mailer.send(
        deps.views.freshLink(deal, recipientOf(deps, deal, claims.recipient), { ...link, expiresAt }, key),
      );
    });
  }
}

/** What the link is about, as the gate emails word it. */
function about({ snapshot, target }: Live): string {
  const m = target.milestone;
  return m ? `${m.title} (due ${m.due})` : snapshot.deal.plan.stages[target.stage].exit;
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
    case 'decide-replan':
      return decideReplanSchema;
  }
}

/**
 * Milestone Slipped. Stage Advanced is not published here: `Set deadline` of the next stage (gates.ts)
 * publishes it, the one place, so a gate pass costs no second ledger claim, read and warning.
 */
async function publishEvents(deps: Pick<Deps, 'ledger' | 'events'>, result: ActionResult): Promise<void> {
  for (const notice of result.notices) {
    const saved = result.milestones.find((x) => x.milestoneId === notice.milestone.milestoneId);
    if (notice.kind === 'slipped' && saved) {
      await publishOnce(deps, MILESTONE_SLIPPED, milestoneSlippedDetail(result.deal, saved, notice.impact));
    }
  }
}
