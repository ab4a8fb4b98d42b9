/** One execution of the playbook state machine, as the reconciler sees it. */
export interface ExecutionInfo {
  executionArn: string;
  name: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';
  redriveCount: number;
  /** The error of a failed execution. */
  error?: string;
}

/**
 * What the reconciler in the reminder sweep needs of the workflow service: find a deal's execution, and
 * redrive or start one. (Completing a waiting gate is the Workflow port's.)
 */
export interface WorkflowAdmin {
  /** The ARN an execution of this name has (or would have). */
  executionArnOf(name: string): string;
  /** Executions in `status`, newest first, at most `limit`. */
  list(status: 'RUNNING' | 'FAILED' | 'TIMED_OUT' | 'ABORTED', limit: number): Promise<ExecutionInfo[]>;
  /** Undefined when there is no such execution. */
  describe(executionArn: string): Promise<ExecutionInfo | undefined>;
  /** Continues a failed execution from the state that failed; false when it can no longer be redriven. */
  redrive(executionArn: string): Promise<boolean>;
  /** Starts an execution (the same name and input again is the same execution); its ARN. */
  start(name: string, input: { planId: string; resumeStage?: string }): Promise<string>;
}
