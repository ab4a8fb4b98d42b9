import { describe, expect, it } from 'vitest';
import { ConcurrentUpdateError, NotFoundError } from '../../../lambdas/domain/errors';
import { withFreshRead } from '../../../lambdas/domain/fresh-read';

describe('withFreshRead', () => {
  it('runs again after a lost race, numbering each attempt, and returns the first answer that saves', async () => {
    // Prepare
    const seen: number[] = [];

    // Act
    const answer = await withFreshRead(5, async (n) => {
      seen.push(n);
      if (n < 3) throw new ConcurrentUpdateError('changed meanwhile');
      return 'saved';
    });

    // Assess
    expect(answer).toBe('saved');
    expect(seen).toEqual([1, 2, 3]);
  });

  it('throws the last lost race once its attempts are spent', async () => {
    // Prepare
    let runs = 0;

    // Act
    const running = withFreshRead(4, async () => {
      runs++;
      throw new ConcurrentUpdateError(`lost ${runs}`);
    });

    // Assess
    await expect(running).rejects.toThrow('lost 4');
    expect(runs).toBe(4);
  });

  it('does not retry any other error', async () => {
    // Prepare
    let runs = 0;

    // Act
    const running = withFreshRead(4, async () => {
      runs++;
      throw new NotFoundError('no plan');
    });

    // Assess
    await expect(running).rejects.toBeInstanceOf(NotFoundError);
    expect(runs).toBe(1);
  });
});
