import '../../../local/polyfills';

import { describe, expect, it } from 'vitest';

describe('Promise.withResolvers polyfill', () => {
  it('exists and settles its promise', async () => {
    const { promise, resolve } = (
      Promise as unknown as { withResolvers: <T>() => { promise: Promise<T>; resolve: (v: T) => void } }
    ).withResolvers<number>();
    resolve(42);
    await expect(promise).resolves.toBe(42);
  });
});
