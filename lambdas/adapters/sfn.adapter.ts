import {
  ExecutionAlreadyExists,
  SendTaskSuccessCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { Workflow } from '../domain/ports';

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
