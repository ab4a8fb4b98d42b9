/**
 * `npm run chaos -- --seed N --runs R [--fault-rate 0.35] [--kill-rate 0.04]`: the chaos suite on the local
 * stack (test/e2e/helpers/chaos.ts), for longer runs than `npm test` makes (test/e2e/chaos.test.ts). Prints
 * the figures; exit 1 if any email or event was lost or doubled, a deal ended elsewhere than the fault-free
 * run, or an execution was left failed without needsAttention.
 */
import { parseArgs } from 'node:util';
import { formatFigures, runChaos } from '../test/e2e/helpers/chaos';

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    seed: { type: 'string', default: '1' },
    runs: { type: 'string', default: '20' },
    'fault-rate': { type: 'string' },
    'kill-rate': { type: 'string' },
  },
});
const figures = await runChaos({
  seed: Number(values.seed),
  runs: Number(values.runs),
  ...(values['fault-rate'] ? { faultRate: Number(values['fault-rate']) } : {}),
  ...(values['kill-rate'] ? { killRate: Number(values['kill-rate']) } : {}),
  log: (line) => console.log(line),
});
console.log(formatFigures(figures));
process.exitCode =
  figures.lost ||
  figures.doubled ||
  figures.wrongState ||
  figures.failedWithoutAttention ||
  figures.problems.length
    ? 1
    : 0;
