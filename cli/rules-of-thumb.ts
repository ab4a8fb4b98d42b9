/**
 * Does this deal need a co-sell plan? The field's rules of thumb (docs: the domain brief) applied to a plan
 * file's fields. Lenient on purpose: a rough draft of a deal is enough to ask the question, so each rule
 * reads only the fields it needs and says `unknown` when they are missing.
 */

export type Answer = 'yes' | 'no' | 'unknown';

export interface RuleResult {
  id: string;
  /** The rule of thumb, as ops would say it. */
  rule: string;
  answer: Answer;
  /** Why, from the plan's own fields. */
  why: string;
}

export interface NeedsPlanAssessment {
  needsPlan: boolean;
  /** Reasons to write a plan. */
  rules: RuleResult[];
  /** Reasons not to, whatever the rules say. */
  exclusions: RuleResult[];
  verdict: string;
}

export const ARR_THRESHOLD = 50_000;
export const LONG_CYCLE_DAYS = 60;
/** A purchase this quick, small and short is transactional. */
const TRANSACTIONAL = { maxArr: ARR_THRESHOLD, maxContractMonths: 12, maxCycleDays: 30 };

const DAY_MS = 86_400_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

type Data = Record<string, unknown>;

function at(data: unknown, ...path: string[]): unknown {
  let value: unknown = data;
  for (const key of path) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = (value as Data)[key];
  }
  return value;
}

const text = (value: unknown) =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
const num = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const list = (value: unknown) => (Array.isArray(value) ? value : []);
const date = (value: unknown) => (typeof value === 'string' && DATE.test(value) ? value : undefined);
const money = (amount: number) => amount.toLocaleString('en-US', { maximumFractionDigits: 0 });

function shorten(value: string, max = 80): string {
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}

interface Person {
  name?: string;
  email: string;
}

/** The distinct people (by email) the plan names for one party: its owner and its escalation ladder. */
function peopleOf(data: unknown, party: 'vendor' | 'partner' | 'customer'): Person[] {
  const seen = new Map<string, Person>();
  for (const entry of [at(data, 'owners', party), ...list(at(data, 'escalation', party))]) {
    const email = text(at(entry, 'email'));
    if (email && !seen.has(email.toLowerCase()))
      seen.set(email.toLowerCase(), { name: text(at(entry, 'name')), email });
  }
  return [...seen.values()];
}

function milestonesOf(data: unknown): { owner?: string; due?: string }[] {
  const stages = at(data, 'stages');
  if (typeof stages !== 'object' || stages === null) return [];
  return Object.values(stages as Data).flatMap((stage) =>
    list(at(stage, 'milestones')).map((m) => ({ owner: text(at(m, 'owner')), due: date(at(m, 'due')) })),
  );
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

interface Cycle {
  days: number;
  from: string;
  fromWhat: string;
  closeDate: string;
}

/** From today (or the first milestone, if earlier) to the close date. */
function cycleOf(data: unknown, today: string): Cycle | undefined {
  const closeDate = date(at(data, 'jointOutcome', 'closeDate'));
  if (!closeDate) return undefined;
  const firstDue = milestonesOf(data)
    .map((m) => m.due)
    .filter((d): d is string => d !== undefined)
    .sort()[0];
  const [from, fromWhat] =
    firstDue && firstDue < today ? [firstDue, 'the first milestone'] : [today, 'today'];
  return { days: daysBetween(from, closeDate), from, fromWhat, closeDate };
}

function commercialComplexity(data: unknown): { answer: Answer; reasons: string[] } {
  const fee = num(at(data, 'economicSplit', 'partnerFeePercent'));
  const recognizes = text(at(data, 'economicSplit', 'recognizes'));
  const servicesTo = text(at(data, 'economicSplit', 'servicesTo'));
  const paper = text(at(data, 'jointOutcome', 'paper'));
  const reasons: string[] = [];
  if (fee !== undefined && fee > 0) reasons.push(`revenue share: a ${fee}% partner fee`);
  if (recognizes === 'partner')
    reasons.push('revenue share: the partner recognizes the subscription revenue');
  if (paper === 'marketplace') reasons.push('marketplace: the deal lives on marketplace paper');
  if (paper === 'partner') reasons.push("joint quoting: the deal lives on the partner's paper");
  if (servicesTo === 'partner')
    reasons.push("joint quoting: the partner's services are quoted beside the subscription");
  const known =
    fee !== undefined || recognizes !== undefined || servicesTo !== undefined || paper !== undefined;
  return { answer: reasons.length > 0 ? 'yes' : known ? 'no' : 'unknown', reasons };
}

function arrRule(data: unknown): RuleResult {
  const rule = `ARR above about $${money(ARR_THRESHOLD)}`;
  const min = num(at(data, 'jointOutcome', 'arr', 'min'));
  const max = num(at(data, 'jointOutcome', 'arr', 'max'));
  const currency = text(at(data, 'jointOutcome', 'arr', 'currency')) ?? '';
  if (max === undefined)
    return { id: 'arr', rule, answer: 'unknown', why: 'jointOutcome.arr.max is not set' };
  const range = min !== undefined && min !== max ? `${money(min)}–${money(max)}` : money(max);
  const asIs = currency && currency !== 'USD' ? ` (compared as-is in ${currency})` : '';
  return max >= ARR_THRESHOLD
    ? {
        id: 'arr',
        rule,
        answer: 'yes',
        why: `ARR ${range} ${currency} reaches the threshold${asIs}`.replace(/ {2}/g, ' '),
      }
    : {
        id: 'arr',
        rule,
        answer: 'no',
        why: `ARR ${range} ${currency} stays under the threshold${asIs}`.replace(/ {2}/g, ' '),
      };
}

function stakeholdersRule(data: unknown): RuleResult {
  const rule = 'More than one stakeholder at the buyer';
  const people = peopleOf(data, 'customer');
  const account = text(at(data, 'account', 'name')) ?? 'the customer';
  const names = people.map((p) => p.name ?? p.email).join(', ');
  if (people.length === 0) {
    return {
      id: 'stakeholders',
      rule,
      answer: 'unknown',
      why: `nobody at ${account} is named yet (owners.customer)`,
    };
  }
  return people.length > 1
    ? {
        id: 'stakeholders',
        rule,
        answer: 'yes',
        why: `${people.length} people named at ${account}: ${names}`,
      }
    : { id: 'stakeholders', rule, answer: 'no', why: `only ${names} is named at ${account}` };
}

function relationshipRule(data: unknown): RuleResult {
  const rule = 'The partner has a relationship to preserve';
  const relationship = text(at(data, 'account', 'partnerRelationship'));
  return relationship
    ? {
        id: 'relationship',
        rule,
        answer: 'yes',
        why: `account.partnerRelationship: ${shorten(relationship)}`,
      }
    : { id: 'relationship', rule, answer: 'no', why: 'no account.partnerRelationship in the plan' };
}

function complexityRule(data: unknown): RuleResult {
  const rule = 'Commercial complexity (revenue share, joint quoting, marketplace)';
  const { answer, reasons } = commercialComplexity(data);
  const why =
    answer === 'yes'
      ? reasons.join('; ')
      : answer === 'no'
        ? 'no partner fee, vendor paper, services not quoted by the partner'
        : 'jointOutcome.paper and economicSplit are not set';
  return { id: 'complexity', rule, answer, why };
}

function cycleRule(data: unknown, today: string): RuleResult {
  const rule = `Sales cycle past about ${LONG_CYCLE_DAYS} days`;
  const cycle = cycleOf(data, today);
  if (!cycle) return { id: 'cycle', rule, answer: 'unknown', why: 'jointOutcome.closeDate is not set' };
  const why = `${cycle.days} days from ${cycle.fromWhat} (${cycle.from}) to the close date ${cycle.closeDate}`;
  return { id: 'cycle', rule, answer: cycle.days > LONG_CYCLE_DAYS ? 'yes' : 'no', why };
}

/** How many milestones the partner owns (as a party, or one of its named people). */
function partnerSteps(data: unknown): number {
  const partnerEmails = new Set(peopleOf(data, 'partner').map((p) => p.email.toLowerCase()));
  return milestonesOf(data).filter(
    (m) => m.owner === 'partner' || (m.owner !== undefined && partnerEmails.has(m.owner.toLowerCase())),
  ).length;
}

/**
 * The partner brought the deal, or works in it: an influenced deal whose partner owns milestones is a
 * joint pursuit all the same, and needs a plan as much as a sourced one.
 */
function sourcedRule(data: unknown): RuleResult {
  const rule = 'The partner brought the deal, or works in it';
  const attribution = text(at(data, 'attribution'));
  const partner = text(at(data, 'partner', 'name')) ?? 'the partner';
  if (attribution === 'sourced') {
    return { id: 'sourced', rule, answer: 'yes', why: `attribution: sourced (${partner} brought it)` };
  }
  if (attribution === 'influenced') {
    const steps = partnerSteps(data);
    return steps > 0
      ? {
          id: 'sourced',
          rule,
          answer: 'yes',
          why: `attribution: influenced, but ${partner} is active: it owns ${steps} milestone(s)`,
        }
      : {
          id: 'sourced',
          rule,
          answer: 'no',
          why: `attribution: influenced (${partner} helps, the vendor brought it) and it owns no milestone`,
        };
  }
  return { id: 'sourced', rule, answer: 'unknown', why: 'attribution is not set' };
}

/** A low-ARR referral whose partner has stepped away: the vendor runs it alone, no joint plan needed. */
function disengagedExclusion(data: unknown): RuleResult {
  const rule = 'Low-ARR referral the partner has disengaged from';
  const max = num(at(data, 'jointOutcome', 'arr', 'max'));
  if (text(at(data, 'attribution')) !== 'sourced') {
    return {
      id: 'disengaged',
      rule,
      answer: 'no',
      why: 'not a partner referral (attribution is not sourced)',
    };
  }
  if (max === undefined) {
    return { id: 'disengaged', rule, answer: 'unknown', why: 'jointOutcome.arr.max is not set' };
  }
  const steps = partnerSteps(data);
  if (max < ARR_THRESHOLD && steps === 0) {
    return {
      id: 'disengaged',
      rule,
      answer: 'yes',
      why: `a referral of ARR up to ${money(max)} in which the partner owns no milestone`,
    };
  }
  const why =
    max >= ARR_THRESHOLD
      ? `ARR up to ${money(max)} reaches the threshold`
      : `the partner owns ${steps} milestone(s)`;
  return { id: 'disengaged', rule, answer: 'no', why };
}

function transactionalExclusion(data: unknown, today: string): RuleResult {
  const rule = 'Transactional purchase (small, short contract, quick close)';
  const max = num(at(data, 'jointOutcome', 'arr', 'max'));
  const months = num(at(data, 'jointOutcome', 'contractMonths'));
  const cycle = cycleOf(data, today);
  if (max === undefined || months === undefined || !cycle) {
    return {
      id: 'transactional',
      rule,
      answer: 'unknown',
      why: 'needs jointOutcome.arr, contractMonths and closeDate',
    };
  }
  const small = max < TRANSACTIONAL.maxArr;
  const short = months <= TRANSACTIONAL.maxContractMonths;
  const quick = cycle.days <= TRANSACTIONAL.maxCycleDays;
  const facts = `ARR up to ${money(max)}, ${months}-month contract, closes in ${cycle.days} days`;
  return small && short && quick
    ? { id: 'transactional', rule, answer: 'yes', why: `${facts}: a plan would cost more than it saves` }
    : { id: 'transactional', rule, answer: 'no', why: facts };
}

const RENEWAL = /\brenew(al|als|ing|s)?\b/i;

function renewalExclusion(data: unknown): RuleResult {
  const rule = 'Renewal without partner involvement';
  const words = [at(data, 'name'), at(data, 'account', 'trigger'), at(data, 'account', 'context')]
    .map(text)
    .filter(Boolean)
    .join(' ');
  if (!RENEWAL.test(words)) return { id: 'renewal', rule, answer: 'no', why: 'not described as a renewal' };
  const steps = partnerSteps(data);
  if (at(data, 'attribution') === 'sourced' || steps > 0) {
    return {
      id: 'renewal',
      rule,
      answer: 'no',
      why: `a renewal, but the partner ${steps > 0 ? `owns ${steps} milestone(s)` : 'sourced it'}`,
    };
  }
  return { id: 'renewal', rule, answer: 'yes', why: 'a renewal in which the partner owns no milestone' };
}

/** Applies the rules of thumb to a plan (or a draft of one); `today` is `YYYY-MM-DD`. */
export function assessNeedForPlan(data: unknown, today: string): NeedsPlanAssessment {
  const rules = [
    arrRule(data),
    stakeholdersRule(data),
    relationshipRule(data),
    complexityRule(data),
    cycleRule(data, today),
    sourcedRule(data),
  ];
  const exclusions = [transactionalExclusion(data, today), renewalExclusion(data), disengagedExclusion(data)];
  const excludedBy = exclusions.find((e) => e.answer === 'yes');
  const applying = rules.filter((r) => r.answer === 'yes').length;
  const unknown = rules.filter((r) => r.answer === 'unknown').length;
  const unknownNote = unknown > 0 ? ` (${unknown} could not be judged from the file)` : '';
  if (excludedBy) {
    return {
      needsPlan: false,
      rules,
      exclusions,
      verdict: `No co-sell plan needed: ${excludedBy.rule.toLowerCase()}.`,
    };
  }
  if (applying > 0) {
    return {
      needsPlan: true,
      rules,
      exclusions,
      verdict: `Yes, this deal needs a co-sell plan: ${applying} of ${rules.length} rules of thumb apply${unknownNote}.`,
    };
  }
  return {
    needsPlan: false,
    rules,
    exclusions,
    verdict: `No co-sell plan needed: none of the rules of thumb apply${unknownNote}.`,
  };
}
