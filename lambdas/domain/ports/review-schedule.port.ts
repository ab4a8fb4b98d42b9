/** A plan whose next weekly review is due, from the plans table's sparse review index. */
export interface ReviewDue {
  planId: string;
  nextReviewAt: string;
}

/** Which plans owe their weekly review (the reminder sweep's second job). */
export interface ReviewSchedule {
  /** Active plans whose `nextReviewAt` is at or before `until`, from the plans table's sparse index. */
  plansDueForReview(until: Date): Promise<ReviewDue[]>;
}
