import { expect, it } from 'vitest';
import { removeStateDir, startStack, stopAndAssertClean } from './helpers/local-stack';

// Ctrl-C as soon as the stack answers: on an empty state directory (no demo plan) `npm start` is still
// looking for a first action link to print. It must stop as cleanly as at any other time.

it('stops cleanly on Ctrl-C right after it starts answering', async () => {
  const stack = await startStack();
  try {
    const exit = await stopAndAssertClean(stack);
    expect(stack.output()).not.toMatch(/could not start/i);
    // Requests still arriving while it stops meet a closed server, not services already gone.
    expect(stack.output()).not.toMatch(/local HTTP server error/);
    expect(stack.output()).toMatch(/SIGINT: stopping the local stack/);
    console.log(`e2e stop: exited ${Math.round(exit.stopMs)} ms after SIGINT`);
  } finally {
    if (!stack.exited) await stack.stop().catch(() => undefined);
    removeStateDir(stack.stateDir);
  }
});
