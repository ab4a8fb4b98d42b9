import { expect } from 'vitest';
import {
  createPlan,
  getPlan,
  linkIn,
  newestEmail,
  type OutboxEmail,
  type PlanView,
  stageOf,
  subjectStarting,
  useLink,
  waitFor,
} from './local-stack';

/**
 * A deal on the reference plan (`plan-example.yaml`), driven the way its people would drive it: each
 * opens the newest email about the stage and uses its links. Only HTTP and the outbox.
 */

export const PEOPLE = {
  ana: 'ana.ruiz@vendor.example', // vendor owner
  dana: 'dana.whit@northwind.example', // partner owner
  lee: 'lee.park@globex.example', // customer sponsor
} as const;

/**
 * The stages, and who gets an email as each gate opens: each milestone owner, each confirming party's
 * owner, and the vendor owner (waive links).
 */
export const STAGES = [
  {
    n: 1,
    key: 'target-account-selection',
    title: 'Target account selection',
    emailed: [PEOPLE.ana, PEOPLE.dana],
  },
  { n: 2, key: 'door-opener', title: 'Door-opener move', emailed: [PEOPLE.dana, PEOPLE.ana] },
  { n: 3, key: 'joint-discovery', title: 'Joint discovery', emailed: [PEOPLE.ana, PEOPLE.dana] },
  {
    n: 4,
    key: 'joint-pursuit-and-proof',
    title: 'Joint pursuit and proof',
    emailed: [PEOPLE.dana, PEOPLE.ana, PEOPLE.lee],
  },
  { n: 5, key: 'close-register-review', title: 'Close, register, review', emailed: [PEOPLE.lee, PEOPLE.ana] },
] as const;

export type StageNumber = 1 | 2 | 3 | 4 | 5;

/** The steps as the customer's people read them (lambdas/views/customer-words.ts). */
export const CUSTOMER_TITLES = [
  'Getting started',
  'First conversation',
  'Understanding your needs',
  'Proof and path to a decision',
  'Decision and review',
] as const;

/** Milestone titles, as the emails list them. */
export const M = {
  fitCheck: 'Confirm Globex fits both ideal customer profiles',
  warmIntro: 'Warm introduction to Lee Park',
  discoveryCall: 'Joint discovery call',
  accountBrief: 'Write the shared account brief',
  securityReview: 'Partner completes the security questionnaire',
  pricingApproval: 'Enterprise pricing approval',
  proofOfConcept: 'Combined proof of concept signed off',
  procurement: 'Globex procurement sign-off',
  debrief: 'Thirty-minute joint debrief',
} as const;

/** Page headings per action. */
export const ACTIONS = {
  confirm: 'Confirm the gate',
  done: 'Mark a milestone done',
  accept: 'Accept a handoff',
  waive: 'Waive a milestone',
  slip: 'Report a slip',
  stuck: 'Say a milestone is stuck',
} as const;

export const BRIEF_URL = 'https://docs.example/globex/account-brief';

export class ReferenceDeal {
  constructor(
    /** The stack's base URL; the same across a restart (the links name it). */
    readonly base: string,
    readonly planId: string,
    readonly name: string,
  ) {}

  static async create(base: string, yaml: string, name: string): Promise<ReferenceDeal> {
    const created = await createPlan(base, yaml);
    expect(created.name).toBe(name);
    return new ReferenceDeal(base, created.planId, name);
  }

  plan(): Promise<PlanView> {
    return getPlan(this.base, this.planId);
  }

  /**
   * The subject of the gate-open emails of stage `n`: `[<deal>] Stage <n>, <title>: ...`; the customer's
   * people read the step's customer name instead (`[<deal>] Proof and path to a decision: ...`).
   */
  gateSubject(n: StageNumber, to?: string): RegExp {
    if (to === PEOPLE.lee) return subjectStarting(this.name, `${CUSTOMER_TITLES[n - 1]}:`);
    return subjectStarting(this.name, `Stage ${n}, ${STAGES[n - 1]?.title}:`);
  }

  /** The newest stage-`n` email to `to` (waits for it). */
  gateEmail(to: string, n: StageNumber): Promise<OutboxEmail> {
    return newestEmail(this.base, { to, subject: this.gateSubject(n, to) });
  }

  async link(to: string, n: StageNumber, label: string, item?: string): Promise<string> {
    return linkIn(await this.gateEmail(to, n), label, item);
  }

  use(url: string, action: string, recipient: string, form?: Record<string, string>): Promise<string> {
    return useLink(this.base, url, { planId: this.planId, action, deal: this.name, recipient, form });
  }

  async markDone(to: string, n: StageNumber, milestone: string): Promise<void> {
    const result = await this.use(await this.link(to, n, 'Mark done', milestone), ACTIONS.done, to, {
      note: 'done',
    });
    expect(result).toContain(`Marked done: “${milestone}”`);
  }

  async acceptHandoff(to: string, n: StageNumber, milestone: string): Promise<void> {
    const url = await this.link(to, n, 'Accept the handoff', milestone);
    const result = await this.use(url, ACTIONS.accept, to, {});
    expect(result).toContain(`Handoff accepted: “${milestone}”`);
  }

  async confirm(to: string, n: StageNumber, form: Record<string, string> = {}): Promise<string> {
    // The customer confirms a step: no "gate" in the customer's words.
    const customer = to === PEOPLE.lee;
    const url = await this.link(to, n, customer ? 'Confirm' : 'Confirm the gate');
    const result = await this.use(url, customer ? 'Please confirm' : ACTIONS.confirm, to, form);
    expect(result).toContain(`Confirmed: ${STAGES[n - 1]?.title}.`);
    return result;
  }

  /** The vendor owner's Waive link for `milestone` (owned by `party`). */
  async waive(n: StageNumber, milestone: string, party: string, reason: string): Promise<string> {
    const url = await this.link(PEOPLE.ana, n, 'Waive (no longer needed)', `${milestone} (${party})`);
    const result = await this.use(url, ACTIONS.waive, PEOPLE.ana, { reason });
    expect(result).toContain(`Waived: “${milestone}”`);
    return result;
  }

  /**
   * Waits until the deal is at stage `n`, its gate open and every gate-open email sent (the workflow
   * records its wait before it sends them, so the deal is then at rest until someone acts).
   */
  async waitForOpen(n: StageNumber): Promise<PlanView> {
    const stage = STAGES[n - 1] as (typeof STAGES)[number];
    await waitFor(`stage ${n} (${stage.key}) open on ${this.planId}`, async () => {
      const plan = await this.plan();
      return plan.stage === stage.key && stageOf(plan, stage.key).status === 'open' ? plan : undefined;
    });
    for (const to of stage.emailed) await this.gateEmail(to, n);
    return this.plan();
  }

  /** Asserts the deal is (still) at stage `n`, its gate open and waiting for exactly these. */
  async expectWaiting(
    n: StageNumber,
    waitingFor: { confirmations: string[]; milestones: string[] },
  ): Promise<PlanView> {
    const plan = await this.plan();
    const key = STAGES[n - 1]?.key as string;
    // The stages are listed in playbook order.
    expect(plan.stages.map((s) => s.key)).toEqual(STAGES.map((s) => s.key));
    expect(plan.status).toBe('active');
    expect(plan.stage).toBe(key);
    expect(stageOf(plan, key).status).toBe('open');
    expect(stageOf(plan, key).waitingFor).toEqual(waitingFor);
    for (const s of STAGES.filter((x) => x.n > n)) expect(stageOf(plan, s.key).status).toBe('pending');
    return plan;
  }

  /** After stage `n` passed: it is `passed` and the next stage opens. */
  async expectPassed(n: StageNumber): Promise<PlanView> {
    const next = await this.waitForOpen((n + 1) as StageNumber);
    for (const s of STAGES.filter((x) => x.n <= n)) expect(stageOf(next, s.key).status).toBe('passed');
    return next;
  }

  /**
   * Stage 1 needs the vendor's and the partner's confirmations and the fit check done: after the vendor
   * alone, and after the fit check too, the deal is still at stage 1.
   */
  async passStage1(): Promise<void> {
    await this.waitForOpen(1);
    await this.confirm(PEOPLE.ana, 1, { note: 'Globex is a committed joint account for us.' });
    await this.expectWaiting(1, { confirmations: ['partner'], milestones: ['fit-check'] });
    await this.markDone(PEOPLE.ana, 1, M.fitCheck);
    await this.expectWaiting(1, { confirmations: ['partner'], milestones: [] });
    await this.confirm(PEOPLE.dana, 1, {});
    const plan = await this.expectPassed(1);
    expect(stageOf(plan, STAGES[0].key).confirmations.map((c) => [c.party, c.by])).toEqual([
      ['vendor', PEOPLE.ana],
      ['partner', PEOPLE.dana],
    ]);
  }

  /** Stage 2: the partner's warm introduction, then the partner confirms with the meeting date. */
  async passStage2(meetingDate = '2026-12-16'): Promise<void> {
    await this.markDone(PEOPLE.dana, 2, M.warmIntro);
    await this.expectWaiting(2, { confirmations: ['partner'], milestones: [] });
    await this.confirm(PEOPLE.dana, 2, { meetingDate, note: 'Booked with Lee Park.' });
    const plan = await this.expectPassed(2);
    expect(stageOf(plan, STAGES[1].key).confirmations[0]?.evidence).toMatchObject({ meetingDate });
  }

  /** Stage 3: both milestones done; vendor and partner confirm with the brief's link. */
  async passStage3(): Promise<void> {
    await this.markDone(PEOPLE.ana, 3, M.discoveryCall);
    await this.markDone(PEOPLE.dana, 3, M.accountBrief);
    await this.confirm(PEOPLE.ana, 3, { briefUrl: BRIEF_URL });
    await this.expectWaiting(3, { confirmations: ['partner'], milestones: [] });
    await this.confirm(PEOPLE.dana, 3, { briefUrl: BRIEF_URL });
    const plan = await this.expectPassed(3);
    expect(stageOf(plan, STAGES[2].key).confirmations.map((c) => c.evidence.briefUrl)).toEqual([
      BRIEF_URL,
      BRIEF_URL,
    ]);
  }

  /** Stage 4: handoffs accepted where offered and done; the customer sponsor confirms the path. */
  async passStage4(): Promise<void> {
    await this.acceptHandoff(PEOPLE.dana, 4, M.securityReview);
    await this.markDone(PEOPLE.dana, 4, M.securityReview);
    await this.acceptHandoff(PEOPLE.ana, 4, M.pricingApproval);
    await this.markDone(PEOPLE.ana, 4, M.pricingApproval);
    await this.markDone(PEOPLE.lee, 4, M.proofOfConcept);
    await this.expectWaiting(4, { confirmations: ['customer'], milestones: [] });
    await this.confirm(PEOPLE.lee, 4, { customerConfirmation: 'yes' });
    const plan = await this.expectPassed(4);
    const accepted = plan.milestones
      .filter((m) => m.handoff && m.stage === STAGES[3].key)
      .map((m) => [m.id, m.handoff?.acceptedBy]);
    expect(accepted).toEqual([
      ['security-review', PEOPLE.dana],
      ['pricing-approval', PEOPLE.ana],
    ]);
    expect(stageOf(plan, STAGES[3].key).confirmations).toMatchObject([
      { party: 'customer', by: PEOPLE.lee, evidence: { customerConfirmation: 'yes' } },
    ]);
  }

  /** Stages 1 to 4, leaving the deal open at stage 5. */
  async driveToStage5(): Promise<void> {
    await this.passStage1();
    await this.passStage2();
    await this.passStage3();
    await this.passStage4();
  }

  /** Stage 5's milestones: the customer's procurement (a handoff to accept first), the vendor's debrief. */
  async finishStage5Milestones(): Promise<void> {
    await this.acceptHandoff(PEOPLE.lee, 5, M.procurement);
    await this.markDone(PEOPLE.lee, 5, M.procurement);
    await this.markDone(PEOPLE.ana, 5, M.debrief);
    await this.expectWaiting(5, { confirmations: ['vendor'], milestones: [] });
  }

  /** Waits for the deal's status to become `status` (the workflow registers asynchronously). */
  async waitForStatus(status: 'won' | 'lost'): Promise<PlanView> {
    return waitFor(`${this.planId} ${status}`, async () => {
      const plan = await this.plan();
      return plan.status === status ? plan : undefined;
    });
  }
}

/** One click of the reference deal: whose email, which button (and item), and what its form sends. */
export type ReferenceClick = {
  stage: number;
  to: string;
  label: string;
  item?: string;
  form: Record<string, string>;
};

/** The reference deal's clicks, in order, as ReferenceDeal.passStage1..5 make them (the chaos suite and bench:load). */
export const REFERENCE_CLICKS: ReferenceClick[] = [
  { stage: 1, to: PEOPLE.ana, label: 'Confirm the gate', form: { note: 'ok' } },
  { stage: 1, to: PEOPLE.ana, label: 'Mark done', item: M.fitCheck, form: { note: 'done' } },
  { stage: 1, to: PEOPLE.dana, label: 'Confirm the gate', form: {} },
  { stage: 2, to: PEOPLE.dana, label: 'Mark done', item: M.warmIntro, form: { note: 'done' } },
  {
    stage: 2,
    to: PEOPLE.dana,
    label: 'Confirm the gate',
    form: { meetingDate: '2026-12-16', note: 'Booked.' },
  },
  { stage: 3, to: PEOPLE.ana, label: 'Mark done', item: M.discoveryCall, form: { note: 'done' } },
  { stage: 3, to: PEOPLE.dana, label: 'Mark done', item: M.accountBrief, form: { note: 'done' } },
  { stage: 3, to: PEOPLE.ana, label: 'Confirm the gate', form: { briefUrl: BRIEF_URL } },
  { stage: 3, to: PEOPLE.dana, label: 'Confirm the gate', form: { briefUrl: BRIEF_URL } },
  { stage: 4, to: PEOPLE.dana, label: 'Accept the handoff', item: M.securityReview, form: {} },
  { stage: 4, to: PEOPLE.dana, label: 'Mark done', item: M.securityReview, form: { note: 'done' } },
  { stage: 4, to: PEOPLE.ana, label: 'Accept the handoff', item: M.pricingApproval, form: {} },
  { stage: 4, to: PEOPLE.ana, label: 'Mark done', item: M.pricingApproval, form: { note: 'done' } },
  { stage: 4, to: PEOPLE.lee, label: 'Mark done', item: M.proofOfConcept, form: { note: 'done' } },
  { stage: 4, to: PEOPLE.lee, label: 'Confirm', form: { customerConfirmation: 'yes' } },
  { stage: 5, to: PEOPLE.lee, label: 'Accept the handoff', item: M.procurement, form: {} },
  { stage: 5, to: PEOPLE.lee, label: 'Mark done', item: M.procurement, form: { note: 'done' } },
  { stage: 5, to: PEOPLE.ana, label: 'Mark done', item: M.debrief, form: { note: 'done' } },
  {
    stage: 5,
    to: PEOPLE.ana,
    label: 'Confirm the gate',
    form: { outcome: 'won', finalArr: '95000', lesson: 'Lead with the partner.' },
  },
];
