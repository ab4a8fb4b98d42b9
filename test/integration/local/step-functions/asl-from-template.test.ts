import { beforeAll, describe, expect, it } from 'vitest';
import { playbookDefinition, TASK_STATE_HANDLERS } from '../../../../lib/workflow/playbook.definition';
import {
  type AslJson,
  loadPlaybookAsl,
  localLambdaArn,
  localPlaybookAsl,
  synthesizeLocalTemplate,
} from '../../../../local/step-functions/asl-from-template';

// The deployed state machine, read from the CDK app's synthesized template with its DefinitionSubstitutions
// resolved, against the one the local runner runs.

let definition: AslJson;

beforeAll(async () => {
  definition = loadPlaybookAsl(await synthesizeLocalTemplate());
});

describe('the synthesized state machine', () => {
  it('is playbookDefinition() with the function ARN placeholders resolved to local functions', () => {
    const expected = JSON.stringify(playbookDefinition()).replace(
      /\$\{(GateDeadline|GateOpen|GateEscalate|RegisterDeal)FunctionArn\}/g,
      (_placeholder, name: string) => localLambdaArn(name.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()),
    );
    expect(definition).toEqual(JSON.parse(expected));
  });

  it('is the ASL the local runner runs (localPlaybookAsl())', () => {
    expect(localPlaybookAsl()).toEqual(definition);
  });

  it('invokes, in every Task state, the function TASK_STATE_HANDLERS names', () => {
    const tasks = Object.entries(definition.States).filter(([, state]) => state.Type === 'Task');
    expect(tasks.map(([name]) => name).sort()).toEqual(Object.keys(TASK_STATE_HANDLERS).sort());
    for (const [name, state] of tasks) {
      expect(state.Parameters).toMatchObject({
        FunctionName: localLambdaArn(TASK_STATE_HANDLERS[name] ?? ''),
      });
    }
  });
});
