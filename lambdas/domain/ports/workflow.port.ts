export interface Workflow {
  start(planId: string, input: { planId: string; resumeStage?: string }): Promise<void>;
  /** Completes a waiting gate; false when the token no longer waits (timed out, or already completed). */
  completeGate(taskToken: string, output: { outcome: 'passed' | 'lost' }): Promise<boolean>;
}
