import {
  ExecutionAlreadyExists,
  InvalidToken,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { StepFunctionsWorkflow } from '../../../lambdas/adapters/sfn.adapter';

const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:cosell-flow-acme-playbook';
const PLAN_ID = 'pl_0123456789abcdef0123';
const TASK_TOKEN = 'AQCEAAAAKgAAAAMAAAAAAAAAAZ3v0Qexample0task0token';

const sfn = mockClient(SFNClient);

afterEach(() => {
  sfn.reset();
});

function newWorkflow(): StepFunctionsWorkflow {
  return new StepFunctionsWorkflow(new SFNClient({}), STATE_MACHINE_ARN);
}

const meta = { $metadata: {} };

describe('StepFunctionsWorkflow.start', () => {
  it('starts an execution named after the plan, with the plan id as JSON input', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:x', startDate: new Date() });

    // Act
    await newWorkflow().start(PLAN_ID, { planId: PLAN_ID });

    // Assess
    const input = sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input;
    expect(input).toEqual({
      stateMachineArn: STATE_MACHINE_ARN,
      name: PLAN_ID,
      input: JSON.stringify({ planId: PLAN_ID }),
    });
    expect(JSON.parse(input?.input ?? '')).toEqual({ planId: PLAN_ID });
  });

  it('treats ExecutionAlreadyExists as success: a repeated start is a no-op', async () => {
    // Prepare
    sfn
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: `Execution Already Exists: '${PLAN_ID}'`, ...meta }));

    // Act
    const starting = newWorkflow().start(PLAN_ID, { planId: PLAN_ID });

    // Assess
    await expect(starting).resolves.toBeUndefined();
  });

  it('rethrows any other failure, so the plan is removed again', async () => {
    // Prepare
    const failure = new StateMachineDoesNotExist({ message: 'State Machine Does Not Exist', ...meta });
    sfn.on(StartExecutionCommand).rejects(failure);

    // Act
    const starting = newWorkflow().start(PLAN_ID, { planId: PLAN_ID });

    // Assess
    await expect(starting).rejects.toBe(failure);
  });

  it('gives a resumed execution its own valid name and passes the stage to resume at', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:x', startDate: new Date() });

    // Act
    await newWorkflow().start(PLAN_ID, { planId: PLAN_ID, resumeStage: 'joint-discovery' });

    // Assess
    const input = sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input;
    expect(input?.name).toMatch(new RegExp(`^${PLAN_ID}-resume-\\d+$`));
    expect(input?.name?.length).toBeLessThanOrEqual(80);
    expect(JSON.parse(input?.input ?? '')).toEqual({ planId: PLAN_ID, resumeStage: 'joint-discovery' });
  });
});

describe('StepFunctionsWorkflow.completeGate', () => {
  it('sends task success with the outcome as JSON output and answers true', async () => {
    // Prepare
    sfn.on(SendTaskSuccessCommand).resolves({});

    // Act
    const waiting = await newWorkflow().completeGate(TASK_TOKEN, { outcome: 'lost' });

    // Assess
    expect(waiting).toBe(true);
    const input = sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input;
    expect(input?.taskToken).toBe(TASK_TOKEN);
    expect(JSON.parse(input?.output ?? '')).toEqual({ outcome: 'lost' });
  });

  it.each([
    ['TaskTimedOut', new TaskTimedOut({ message: 'Task Timed Out', ...meta })],
    ['TaskDoesNotExist', new TaskDoesNotExist({ message: 'Task Does Not Exist', ...meta })],
    ['InvalidToken', new InvalidToken({ message: 'Invalid Token', ...meta })],
  ])('answers false when the token no longer waits (%s)', async (_name, error) => {
    // Prepare
    sfn.on(SendTaskSuccessCommand).rejects(error);

    // Act
    const waiting = await newWorkflow().completeGate(TASK_TOKEN, { outcome: 'passed' });

    // Assess
    expect(waiting).toBe(false);
  });

  it('rethrows any other failure (throttling), so the caller retries', async () => {
    // Prepare
    const failure = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    sfn.on(SendTaskSuccessCommand).rejects(failure);

    // Act
    const completing = newWorkflow().completeGate(TASK_TOKEN, { outcome: 'passed' });

    // Assess
    await expect(completing).rejects.toBe(failure);
  });
});
