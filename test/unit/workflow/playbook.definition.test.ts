import { describe, expect, it } from 'vitest';
import { STAGE_KEYS } from '../../../lambdas/schemas/plan.schema';
import {
  type AslChoiceState,
  type AslState,
  type AslTaskState,
  FUNCTION_ARN_PLACEHOLDERS,
  GATE_RETRY,
  LAMBDA_RETRY,
  PLAYBOOK_STAGE_KEYS,
  playbookDefinition,
  STATE_NAMES,
  TASK_STATE_HANDLERS,
  TRANSIENT_ERROR,
  TRANSIENT_RETRY,
} from '../../../lib/workflow/playbook.definition';

/** `${Name}` as written in the ASL, resolved by definitionSubstitutions at deploy time. */
const placeholder = (name: keyof typeof FUNCTION_ARN_PLACEHOLDERS) => `\${${name}}`;

const definition = playbookDefinition();
const states = definition.States;

function state<T extends AslState>(name: string, type: T['Type']): T {
  const found = states[name];
  if (!found) throw new Error(`no state '${name}'`);
  expect(found.Type).toBe(type);
  return found as T;
}
const task = (name: string) => state<AslTaskState>(name, 'Task');
const choice = (name: string) => state<AslChoiceState>(name, 'Choice');

/** Every state name a state can move to. */
function successors(s: AslState): string[] {
  if (s.Type === 'Task') return [s.Next, ...(s.Catch ?? []).map((c) => c.Next)];
  if (s.Type === 'Choice') return [...s.Choices.map((c) => c.Next ?? ''), s.Default];
  return [];
}

describe('playbookDefinition', () => {
  it('is plain JSON: rendering and parsing it back changes nothing', () => {
    expect(JSON.parse(JSON.stringify(definition))).toEqual(definition);
    expect(playbookDefinition()).toEqual(definition);
  });

  it('follows the stage keys of the plan schema, in playbook order', () => {
    expect(PLAYBOOK_STAGE_KEYS).toEqual(STAGE_KEYS);
  });

  it('has exactly the states of docs/design.md', () => {
    // Prepare
    const expected = [
      'Start',
      ...PLAYBOOK_STAGE_KEYS.flatMap((k) => [
        `Set deadline: ${k}`,
        `Await gate: ${k}`,
        `Escalate: ${k}`,
        `Gate outcome: ${k}`,
      ]),
      'Register won deal',
      'Register lost deal',
      'Deal won',
      'Deal lost',
    ];

    // Assess
    expect(definition.StartAt).toBe('Start');
    expect(Object.keys(states).sort()).toEqual(expected.sort());
  });

  it('only moves to states that exist, and every state is reachable from Start', () => {
    const seen = new Set<string>();
    const queue = [definition.StartAt];
    while (queue.length > 0) {
      const name = queue.shift() as string;
      if (seen.has(name)) continue;
      seen.add(name);
      const s = states[name];
      expect(s, `transition to missing state '${name}'`).toBeDefined();
      if (s) queue.push(...successors(s));
    }
    expect([...seen].sort()).toEqual(Object.keys(states).sort());
  });

  describe('Start', () => {
    it('resumes at $.resumeStage when given, after first sending a missing resumeStage to stage 1', () => {
      const start = choice('Start');
      // A rule on an absent path is a runtime error: the presence check must come first.
      expect(start.Choices[0]).toEqual({
        Not: { Variable: '$.resumeStage', IsPresent: true },
        Next: 'Set deadline: target-account-selection',
      });
      for (const k of PLAYBOOK_STAGE_KEYS) {
        expect(start.Choices).toContainEqual({
          Variable: '$.resumeStage',
          StringEquals: k,
          Next: `Set deadline: ${k}`,
        });
      }
      expect(start.Default).toBe('Set deadline: target-account-selection');
    });
  });

  describe.each(PLAYBOOK_STAGE_KEYS.map((k, i) => [k, PLAYBOOK_STAGE_KEYS[i + 1]] as const))(
    'stage %s',
    (stage, following) => {
      it('sets the deadline into $.gate, then awaits the gate', () => {
        const s = task(`Set deadline: ${stage}`);
        expect(s.Resource).toBe('arn:aws:states:::lambda:invoke');
        expect(s.Parameters).toEqual({
          FunctionName: placeholder('GateDeadlineFunctionArn'),
          Payload: { 'planId.$': '$.planId', stage },
        });
        expect(s.ResultSelector).toEqual({
          'timeoutSeconds.$': '$.Payload.timeoutSeconds',
          'escalations.$': '$.Payload.escalations',
        });
        expect(s.ResultPath).toBe('$.gate');
        expect(s.Next).toBe(`Await gate: ${stage}`);
      });

      it('awaits the gate with a task token and the timeout from $.gate, escalating on States.Timeout', () => {
        const s = task(`Await gate: ${stage}`);
        expect(s.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
        expect(s.Parameters).toEqual({
          FunctionName: placeholder('GateOpenFunctionArn'),
          Payload: {
            'planId.$': '$.planId',
            stage,
            'taskToken.$': '$$.Task.Token',
            'escalations.$': '$.gate.escalations',
            'executionArn.$': '$$.Execution.Id',
          },
        });
        expect(s.TimeoutSecondsPath).toBe('$.gate.timeoutSeconds');
        expect(s.ResultPath).toBe('$.gateResult');
        expect(s.Catch).toEqual([
          { ErrorEquals: ['States.Timeout'], ResultPath: '$.timeout', Next: `Escalate: ${stage}` },
        ]);
        expect(s.Next).toBe(`Gate outcome: ${stage}`);
      });

      it('escalates and loops back to the same gate, never failing the deal', () => {
        const s = task(`Escalate: ${stage}`);
        expect(s.Parameters).toEqual({
          FunctionName: placeholder('GateEscalateFunctionArn'),
          Payload: { 'planId.$': '$.planId', stage, 'escalations.$': '$.gate.escalations' },
        });
        expect(s.ResultSelector).toEqual(task(`Set deadline: ${stage}`).ResultSelector);
        expect(s.ResultPath).toBe('$.gate');
        expect(s.Next).toBe(`Await gate: ${stage}`);
        expect(s.Catch).toBeUndefined();
      });

      it(`goes to ${following ? `stage ${following}` : 'registration as won'} when passed, to lost when lost`, () => {
        const s = choice(`Gate outcome: ${stage}`);
        expect(s.Choices).toEqual([
          { Variable: '$.gateResult.outcome', StringEquals: 'lost', Next: 'Register lost deal' },
        ]);
        expect(s.Default).toBe(following ? `Set deadline: ${following}` : 'Register won deal');
      });
    },
  );

  it('registers the deal only after stage 5, and registers lost deals from any gate', () => {
    const toWon = Object.entries(states).filter(([, s]) => successors(s).includes('Register won deal'));
    expect(toWon.map(([name]) => name)).toEqual(['Gate outcome: close-register-review']);

    const toLost = Object.entries(states).filter(([, s]) => successors(s).includes('Register lost deal'));
    expect(toLost.map(([name]) => name).sort()).toEqual(
      PLAYBOOK_STAGE_KEYS.map((k) => `Gate outcome: ${k}`).sort(),
    );
  });

  it.each([
    ['won', 'Register won deal', 'Deal won'],
    ['lost', 'Register lost deal', 'Deal lost'],
  ] as const)('registers a %s deal, then succeeds', (outcome, name, end) => {
    const s = task(name);
    expect(s.Parameters).toEqual({
      FunctionName: placeholder('RegisterDealFunctionArn'),
      Payload: { 'planId.$': '$.planId', outcome },
    });
    expect(s.Next).toBe(end);
    expect(state(end, 'Succeed')).toEqual({ Type: 'Succeed' });
  });

  it('retries transient Lambda errors on every task (2 s, x2, 6 attempts), then transient application errors', () => {
    const tasks = Object.values(states).filter((s): s is AslTaskState => s.Type === 'Task');
    expect(tasks).toHaveLength(5 * 3 + 2);
    for (const s of tasks) {
      // A waiting gate also runs its task again when the reconciler fails it with GateRetry (after a fix).
      const gate = s.Resource.endsWith('.waitForTaskToken');
      expect(s.Retry.slice(2)).toEqual(gate ? [{ ...GATE_RETRY }] : []);
      expect(s.Retry.slice(0, 2)).toEqual([
        {
          ErrorEquals: [
            'Lambda.ServiceException',
            'Lambda.AWSLambdaException',
            'Lambda.SdkClientException',
            'Lambda.TooManyRequestsException',
          ],
          IntervalSeconds: 2,
          BackoffRate: 2,
          MaxAttempts: 6,
          JitterStrategy: 'FULL',
        },
        {
          ErrorEquals: expect.arrayContaining([
            'TransientError',
            'DeliveryDeferredError',
            'ThrottlingException',
            'ProvisionedThroughputExceededException',
            'Sandbox.Timedout',
          ]),
          IntervalSeconds: 5,
          BackoffRate: 2,
          MaxAttempts: 8,
          MaxDelaySeconds: 120,
          JitterStrategy: 'FULL',
        },
      ]);
      // Never retried: a timeout is an escalation, not a failure. Nothing is caught but the gate's timeout:
      // a permanent failure is recorded on the deal by the handler, which then returns normally.
      expect(s.Retry.flatMap((r) => r.ErrorEquals)).not.toContain('States.Timeout');
      expect(s.Retry.flatMap((r) => r.ErrorEquals)).not.toContain('States.ALL');
      expect((s.Catch ?? []).flatMap((c) => c.ErrorEquals)).not.toContain('States.ALL');
    }
    expect(LAMBDA_RETRY.MaxAttempts).toBe(6);
    expect(TRANSIENT_RETRY.ErrorEquals[0]).toBe(TRANSIENT_ERROR);
  });

  it('gives transient errors about eight minutes of retries before the execution fails', () => {
    let total = 0;
    for (let i = 0; i < TRANSIENT_RETRY.MaxAttempts; i++) {
      total += Math.min(
        TRANSIENT_RETRY.IntervalSeconds * TRANSIENT_RETRY.BackoffRate ** i,
        TRANSIENT_RETRY.MaxDelaySeconds ?? Number.POSITIVE_INFINITY,
      );
    }
    expect(total).toBeGreaterThan(5 * 60);
    expect(total).toBeLessThan(15 * 60); // within one reminder sweep period of the reconciler
  });

  it('uses only the four documented placeholders', () => {
    const used = new Set(JSON.stringify(definition).match(/\$\{[A-Za-z]+\}/g));
    expect([...used].sort()).toEqual(
      Object.keys(FUNCTION_ARN_PLACEHOLDERS)
        .map((p) => `\${${p}}`)
        .sort(),
    );
  });
});

describe('TASK_STATE_HANDLERS', () => {
  it('maps every Task state, and only Task states, to the handler whose placeholder it invokes', () => {
    const tasks = Object.entries(states).filter(([, s]) => s.Type === 'Task') as [string, AslTaskState][];
    expect(Object.keys(TASK_STATE_HANDLERS).sort()).toEqual(tasks.map(([name]) => name).sort());
    for (const [name, s] of tasks) {
      const used = String(s.Parameters.FunctionName).slice(2, -1) as keyof typeof FUNCTION_ARN_PLACEHOLDERS;
      expect(TASK_STATE_HANDLERS[name]).toBe(FUNCTION_ARN_PLACEHOLDERS[used]);
    }
  });

  it('names the handlers of the design', () => {
    expect(TASK_STATE_HANDLERS[STATE_NAMES.setDeadline('door-opener')]).toBe('gate-deadline');
    expect(TASK_STATE_HANDLERS[STATE_NAMES.awaitGate('door-opener')]).toBe('gate-open');
    expect(TASK_STATE_HANDLERS[STATE_NAMES.escalate('door-opener')]).toBe('gate-escalate');
    expect(TASK_STATE_HANDLERS['Register won deal']).toBe('register-deal');
    expect(TASK_STATE_HANDLERS['Register lost deal']).toBe('register-deal');
  });
});
