import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../../../../lambdas/domain/errors';
import { createPlan, getPlan, listPlans, planView } from '../../../../lambdas/domain/use-cases/plans';
import { fakeDeps } from '../../../helpers/fakes';
import { dealAtStage, referencePlan } from '../../../helpers/plan';

describe('createPlan', () => {
  it('stores the deal with its milestones and starts its workflow, named by the plan id', async () => {
    // Prepare
    const deps = fakeDeps();

    // Act
    const view = await createPlan(deps, referencePlan());

    // Assess
    expect(view.planId).toMatch(/^pl_[0-9a-f]{20}$/);
    const stored = deps.store.peek(view.planId);
    expect(stored?.deal).toMatchObject({
      planId: view.planId,
      tenant: 'acme',
      status: 'active',
      stage: 'target-account-selection',
      createdAt: deps.clock.now().toISOString(),
    });
    expect(stored?.milestones).toHaveLength(9);
    expect(deps.workflow.started).toEqual([{ name: view.planId, input: { planId: view.planId } }]);
  });

  it('resolves owner timezones with the tenant default', async () => {
    // Prepare
    const deps = fakeDeps();
    deps.config.defaultTimezone = 'Europe/London';
    const plan = referencePlan();
    delete plan.owners.partner.timezone;

    // Act
    const view = await createPlan(deps, plan);

    // Assess
    expect(deps.store.milestone(view.planId, 'warm-intro').owner.timezone).toBe('Europe/London');
  });

  it('gives every plan its own id', async () => {
    // Prepare
    const deps = fakeDeps();

    // Act
    const a = await createPlan(deps, referencePlan());
    const b = await createPlan(deps, referencePlan(), { allowDuplicate: true });

    // Assess
    expect(a.planId).not.toBe(b.planId);
    expect(deps.store.planIds()).toHaveLength(2);
  });

  it('removes what it stored when the workflow cannot start, and reports the failure', async () => {
    // Prepare
    const deps = fakeDeps();
    const failure = new Error('StateMachineDoesNotExist');
    deps.workflow.startError = failure;

    // Act
    const attempt = createPlan(deps, referencePlan());

    // Assess
    await expect(attempt).rejects.toBe(failure);
    expect(deps.store.planIds()).toEqual([]);
    expect(deps.store.writes.map((w) => w.op)).toEqual(['create', 'remove']);
  });

  it('does not start a workflow when the plan could not be stored', async () => {
    // Prepare
    const deps = fakeDeps();
    deps.store.create = async () => {
      throw new Error('table unavailable');
    };

    // Act / Assess
    await expect(createPlan(deps, referencePlan())).rejects.toThrow('table unavailable');
    expect(deps.workflow.started).toEqual([]);
  });
});

describe('getPlan, listPlans and planView', () => {
  it('shows a stored plan: its stages, what each waits for, its milestones in order', async () => {
    // Prepare
    const deps = fakeDeps();
    const snapshot = dealAtStage('door-opener');
    deps.store.put({ ...snapshot, deal: { ...snapshot.deal, taskToken: 'secret-task-token' } });

    // Act
    const view = await getPlan(deps, snapshot.deal.planId);

    // Assess
    expect(view).toMatchObject({
      name: 'Globex platform migration',
      partner: 'Northwind Integrators',
      account: 'Globex Corporation',
      status: 'active',
      stage: 'door-opener',
      attribution: 'sourced',
      closeDate: '2027-02-26',
    });
    expect(view.stages.map((s) => [s.key, s.status])).toEqual([
      ['target-account-selection', 'passed'],
      ['door-opener', 'open'],
      ['joint-discovery', 'pending'],
      ['joint-pursuit-and-proof', 'pending'],
      ['close-register-review', 'pending'],
    ]);
    expect(view.stages[0]?.waitingFor).toEqual({ confirmations: [], milestones: [] });
    expect(view.stages[1]?.waitingFor).toEqual({ confirmations: ['partner'], milestones: ['warm-intro'] });
    expect(view.milestones.map((m) => m.id)).toEqual(snapshot.milestones.map((m) => m.milestoneId));
    expect(JSON.stringify(view)).not.toContain('secret-task-token');
  });

  it('says when there is no such plan', async () => {
    // Prepare
    const deps = fakeDeps();

    // Act / Assess
    await expect(getPlan(deps, 'pl_missing')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lists stored plans', async () => {
    // Prepare
    const deps = fakeDeps();
    const { planId } = await createPlan(deps, referencePlan());

    // Act
    const list = await listPlans(deps);

    // Assess
    expect(list).toEqual([
      {
        planId,
        name: 'Globex platform migration',
        partner: 'Northwind Integrators',
        account: 'Globex Corporation',
        stage: 'target-account-selection',
        status: 'active',
        updatedAt: deps.clock.now().toISOString(),
      },
    ]);
  });

  it('sorts milestones by their place in the sequence', () => {
    // Prepare
    const snapshot = dealAtStage('door-opener');
    const shuffled = { ...snapshot, milestones: [...snapshot.milestones].reverse() };

    // Act
    const view = planView(shuffled);

    // Assess
    expect(view.milestones[0]?.id).toBe('fit-check');
    expect(view.milestones.at(-1)?.id).toBe('debrief');
  });
});
