/** Runs an effect at most once per key (an email, an event), across retries and duplicate deliveries. */
export interface EffectLedger {
  once(key: string, effect: () => Promise<void>): Promise<'done' | 'already-done'>;
}
