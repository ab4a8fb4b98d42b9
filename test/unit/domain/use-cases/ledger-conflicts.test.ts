import { describe, expect, it } from 'vitest';
import type { EffectLedger } from '../../../../lambdas/domain/ports';
import { actOnLink } from '../../../../lambdas/domain/use-cases/links';
import { fakeDeps, signedToken } from '../../../helpers/fakes';
import { dealAtStage, PEOPLE, PLAN_ID } from '../../../helpers/plan';

// Every ledger conflict maps to its honest page: under concurrency no click gets a 500.

/** The DynamoDB ledger's semantics: a claim held by another invocation is EffectInProgressError. */
class LeasingLedger implements EffectLedger {
  private readonly done = new Set<string>();
  private readonly claimed = new Set<string>();

  async once(key: string, effect: () => Promise<void>): Promise<'done' | 'already-done'> {
    await new Promise((r) => setImmediate(r));
    if (this.done.has(key)) return 'already-done';
    if (this.claimed.has(key)) {
      throw Object.assign(new Error(`effect ${key} is in progress elsewhere`), {
        name: 'EffectInProgressError',
      });
    }
    this.claimed.add(key);
    try {
      await new Promise((r) => setTimeout(r, 5)); // the send takes a moment
      await effect();
    } finally {
      this.claimed.delete(key);
    }
    this.done.add(key);
    return 'done';
  }
}

describe('"send me a fresh link", 30 times at once', () => {
  it('sends one email; every other post says it is on its way or already sent; no error', async () => {
    // Prepare
    const deps = fakeDeps({ ledger: new LeasingLedger() as never });
    deps.clock.set('2026-12-02T15:00:00.000Z');
    const snapshot = dealAtStage('door-opener', new Date('2026-12-01T15:00:00.000Z'));
    deps.store.put(snapshot);
    const t = await signedToken(deps, {
      planId: PLAN_ID,
      action: 'milestone-done',
      target: 'warm-intro',
      recipient: PEOPLE.dana,
    });
    deps.clock.set('2026-12-20T15:00:00.000Z'); // past the link's 14 days

    // Act
    const pages = await Promise.all(
      Array.from({ length: 30 }, () => actOnLink(deps, t, { intent: 'fresh-link' })),
    );

    // Assess
    expect(deps.mailer.sent).toHaveLength(1);
    expect(pages.every((p) => p.kind === 'fresh-link' && p.status === 200)).toBe(true);
    const messages = new Set(pages.map((p) => (p as { message: string }).message));
    expect([...messages].every((m) => /was sent|is being sent|was already sent/.test(m))).toBe(true);
  });
});
