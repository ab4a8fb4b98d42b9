import { describe, expect, it } from 'vitest';
import { OneAtATime, StopList } from '../../../local/stack-parts';

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('OneAtATime', () => {
  it('never runs two jobs at once, and runs them in the order asked', async () => {
    const gate = new OneAtATime();
    let inFlight = 0;
    let most = 0;
    const order: number[] = [];
    const job = (n: number) => async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      await tick();
      await tick();
      order.push(n);
      inFlight--;
      return n;
    };
    const results = await Promise.all([1, 2, 3, 4].map((n) => gate.run(job(n))));
    expect(results).toEqual([1, 2, 3, 4]);
    expect(order).toEqual([1, 2, 3, 4]);
    expect(most).toBe(1);
  });

  it('goes on after a job that fails, and idle() waits for the job in flight', async () => {
    const gate = new OneAtATime();
    const failed = gate.run(async () => {
      await tick();
      throw new Error('boom');
    });
    let ended = false;
    const next = gate.run(async () => {
      await tick();
      ended = true;
    });
    await expect(failed).rejects.toThrow('boom');
    await gate.idle();
    expect(ended).toBe(true);
    await next;
  });
});

describe('StopList', () => {
  const part = (name: string, stopped: string[]) => ({
    name,
    stop: async () => {
      await tick();
      stopped.push(name);
    },
  });

  it('stops the parts last-in first-out', async () => {
    const stopped: string[] = [];
    const stops = new StopList(() => undefined);
    stops.add(part('a', stopped));
    stops.add(part('b', stopped));
    expect(stops.stopping).toBe(false);
    stops.assertRunning();
    await stops.stop();
    expect(stopped).toEqual(['b', 'a']);
    await stops.stop();
    expect(stopped).toEqual(['b', 'a']);
  });

  it('stops a part added once stopping began (one still starting): nothing is left running', async () => {
    const stopped: string[] = [];
    const stops = new StopList(() => undefined);
    stops.add(part('a', stopped));
    const stopping = stops.stop();
    expect(stops.stopping).toBe(true);
    expect(() => stops.assertRunning()).toThrow(/stopped while it started/);
    // Added while the first stop still runs, and after it ended.
    stops.add(part('late', stopped));
    await stopping;
    stops.add(part('later', stopped));
    await stops.stop();
    expect(stopped.sort()).toEqual(['a', 'late', 'later']);
  });

  it('a later stop() resolves only once every part is stopped', async () => {
    const stopped: string[] = [];
    const stops = new StopList(() => undefined);
    stops.add(part('a', stopped));
    void stops.stop();
    stops.add(part('b', stopped));
    await stops.stop();
    expect(stopped.sort()).toEqual(['a', 'b']);
  });
});
