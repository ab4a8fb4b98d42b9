import type { ExecutionInfo, WorkflowAdmin } from '../../lambdas/domain/ports';

const MACHINE = 'arn:aws:states:us-east-1:000000000000:stateMachine:cosell-flow-acme-playbook';

/** Executions by ARN, as the reconciler finds them; a redrive or a start makes one RUNNING. */
export class FakeWorkflowAdmin implements WorkflowAdmin {
  readonly executions = new Map<string, ExecutionInfo>();
  readonly redriven: string[] = [];
  readonly started: { name: string; input: { planId: string; resumeStage?: string } }[] = [];
  /** ARNs whose redrive is refused (past 14 days, say). */
  readonly notRedrivable = new Set<string>();

  executionArnOf(name: string): string {
    return `${MACHINE.replace(':stateMachine:', ':execution:')}:${name}`;
  }

  /** An execution of `name` in `status`. */
  put(name: string, status: ExecutionInfo['status'], extra: Partial<ExecutionInfo> = {}): string {
    const executionArn = this.executionArnOf(name);
    this.executions.set(executionArn, { executionArn, name, status, redriveCount: 0, ...extra });
    return executionArn;
  }

  async list(status: ExecutionInfo['status'], limit: number): Promise<ExecutionInfo[]> {
    return [...this.executions.values()]
      .filter((e) => e.status === status)
      .slice(0, limit)
      .map((e) => ({ ...e }));
  }

  async describe(executionArn: string): Promise<ExecutionInfo | undefined> {
    const e = this.executions.get(executionArn);
    return e && { ...e };
  }

  async redrive(executionArn: string): Promise<boolean> {
    const e = this.executions.get(executionArn);
    if (!e || e.status === 'RUNNING' || e.status === 'SUCCEEDED' || this.notRedrivable.has(executionArn))
      return false;
    e.status = 'RUNNING';
    e.redriveCount++;
    this.redriven.push(executionArn);
    return true;
  }

  async start(name: string, input: { planId: string; resumeStage?: string }): Promise<string> {
    const executionArn = this.executionArnOf(name);
    const existing = this.executions.get(executionArn);
    if (existing && existing.status !== 'RUNNING') {
      throw Object.assign(new Error(`Execution Already Exists: '${executionArn}'`), {
        name: 'ExecutionAlreadyExists',
      });
    }
    if (!existing) {
      this.executions.set(executionArn, { executionArn, name, status: 'RUNNING', redriveCount: 0 });
      this.started.push({ name, input: { ...input } });
    }
    return executionArn;
  }
}
