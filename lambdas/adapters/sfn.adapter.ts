import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  ListExecutionsCommand,
  RedriveExecutionCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { ExecutionInfo, Workflow, WorkflowAdmin } from '../domain/ports';

/** The playbook workflow in Step Functions: executions are named after the plan, so a start is idempotent. */
export class StepFunctionsWorkflow implements Workflow {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(planId: string, input: { planId: string; resumeStage?: string }): Promise<void> {
    const name = input.resumeStage ? `${planId}-resume-${Date.now()}` : planId;
    try {
      await this.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name,
          input: JSON.stringify(input),
        }),
      );
    } catch (error) {
      if (!(error instanceof ExecutionAlreadyExists)) throw error;
    }
  }

  async retryGate(taskToken: string): Promise<boolean> {
    try {
      await this.sfn.send(
        new SendTaskFailureCommand({
          taskToken,
          error: 'GateRetry',
          cause: 'a fix was made: send what is unsent',
        }),
      );
      return true;
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'TaskTimedOut' || name === 'TaskDoesNotExist' || name === 'InvalidToken') return false;
      throw error;
    }
  }

  async completeGate(taskToken: string, output: { outcome: 'passed' | 'lost' }): Promise<boolean> {
    try {
      await this.sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
      return true;
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'TaskTimedOut' || name === 'TaskDoesNotExist' || name === 'InvalidToken') return false;
      throw error;
    }
  }
}

/** The reconciler's view of the state machine's executions (ListExecutions, DescribeExecution, Redrive, Start). */
export class StepFunctionsAdmin implements WorkflowAdmin {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  executionArnOf(name: string): string {
    return `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }

  async list(
    status: 'RUNNING' | 'FAILED' | 'TIMED_OUT' | 'ABORTED',
    limit: number,
  ): Promise<ExecutionInfo[]> {
    const found: ExecutionInfo[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.sfn.send(
        new ListExecutionsCommand({
          stateMachineArn: this.stateMachineArn,
          statusFilter: status,
          maxResults: Math.min(1000, limit - found.length),
          nextToken,
        }),
      );
      for (const e of page.executions ?? []) {
        found.push({
          executionArn: e.executionArn ?? '',
          name: e.name ?? '',
          status: (e.status ?? status) as ExecutionInfo['status'],
          redriveCount: e.redriveCount ?? 0,
        });
      }
      nextToken = page.nextToken;
    } while (nextToken && found.length < limit);
    return found;
  }

  async describe(executionArn: string): Promise<ExecutionInfo | undefined> {
    try {
      const e = await this.sfn.send(new DescribeExecutionCommand({ executionArn }));
      return {
        executionArn,
        name: e.name ?? '',
        status: (e.status ?? 'RUNNING') as ExecutionInfo['status'],
        redriveCount: e.redriveCount ?? 0,
        ...(e.error ? { error: e.error } : {}),
      };
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist || (error as Error).name === 'ExecutionDoesNotExist')
        return undefined;
      throw error;
    }
  }

  async redrive(executionArn: string): Promise<boolean> {
    try {
      await this.sfn.send(new RedriveExecutionCommand({ executionArn }));
      return true;
    } catch (error) {
      if ((error as Error).name === 'ExecutionNotRedrivable') return false;
      throw error;
    }
  }

  async start(name: string, input: { planId: string; resumeStage?: string }): Promise<string> {
    const out = await this.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: this.stateMachineArn,
        name,
        input: JSON.stringify(input),
      }),
    );
    return out.executionArn ?? this.executionArnOf(name);
  }
}
