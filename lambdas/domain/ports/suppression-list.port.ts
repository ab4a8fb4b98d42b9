/** Why an address no longer gets mail from this tenant (SES event publishing). */
export interface Suppression {
  email: string;
  reason: 'bounce' | 'complaint';
  at: string;
  /** The SES feedback as reported (bounce type and subtype, complaint feedback type). */
  detail: string;
}

/** Addresses this tenant must not mail again (hard bounces and complaints). */
export interface SuppressionList {
  isSuppressed(email: string): Promise<boolean>;
  /** Records the suppression; false when the address was already suppressed. */
  suppress(entry: Suppression): Promise<boolean>;
}
