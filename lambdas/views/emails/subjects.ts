import type { Deal, MilestoneState } from '../../domain/deal';
import { STAGES } from '../../domain/playbook';
import type { EmailSubjects } from '../../domain/ports';
import { formatLocal } from '../../domain/time';
import type { StageKey } from '../../schemas/plan.schema';
import { headerSafe } from '../text';

/** The subjects the schedule preview lists, the same the emails carry (see the emails beside this file). */

export function reminderSubject(deal: Deal, m: MilestoneState): string {
  return headerSafe(`[${deal.plan.name}] Due soon: ${m.title}`);
}

export function gateOverdueSubject(deal: Deal, stage: StageKey): string {
  const info = STAGES[stage];
  return headerSafe(`[${deal.plan.name}] Overdue: stage ${info.number}, ${info.title}`);
}

export function escalationSubject(deal: Deal, what: string): string {
  return headerSafe(`[${deal.plan.name}] Escalation: ${what}`);
}

/** `[Deal] Weekly review Mon, 7 Dec 2026`: the review's local date in the cadence timezone. */
export function weeklyReviewTitle(deal: Deal, at: Date): string {
  const when = formatLocal(at, deal.plan.cadence.timezone);
  return `[${deal.plan.name}] Weekly review ${when.replace(/,? \d{2}:\d{2}.*$/, '')}`;
}

export const emailSubjects: EmailSubjects = {
  reminder: reminderSubject,
  gateOverdue: gateOverdueSubject,
  escalation: escalationSubject,
  weeklyReview: weeklyReviewTitle,
};
