export interface Workflow {
  start(planId: string, input: { planId: string; resumeStage?: string }): Promise<void>;
  /** Completes a waiting gate; false when the token no longer waits (timed out, or already completed). */
  completeGate(taskToken: string, output: { outcome: 'passed' | 'lost' }): Promise<boolean>;
  /**
   * Makes a waiting gate run its task again (a task failure the gate's `GateRetry` retrier takes), so it
   * sends what is still unsent after a fix; false when the token no longer waits.
   */
  retryGate(taskToken: string): Promise<boolean>;
}
