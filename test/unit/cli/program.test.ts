import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../../cli/exit-codes';
import { cosell } from './commands/cosell-harness';

// The assembled command tree; each command's behaviour is tested beside it in commands/.

describe('cosell (usage)', () => {
  it('documents the exit codes and examples in --help (exit 0)', async () => {
    const run = await cosell(['--help']);
    expect(run.code).toBe(ExitCode.ok);
    expect(run.stdout).toContain('Examples:');
    expect(run.stdout).toMatch(/Exit codes:\n {2}0 {2}ok\n {2}1 .*\n {2}2 .*\n {2}3 .*\n {2}4 /);
  });

  it('gives every command its own help with examples', async () => {
    for (const command of [
      ['plan', 'validate'],
      ['plan', 'check'],
      ['plan', 'create'],
      ['plan', 'list'],
      ['plan', 'show'],
      ['report'],
      ['deals'],
      ['tenant', 'init'],
    ]) {
      const run = await cosell([...command, '--help']);
      expect(run.code, command.join(' ')).toBe(ExitCode.ok);
      expect(run.stdout, command.join(' ')).toContain('Examples:');
    }
  });

  it('exits 2 on an unknown command or option, a missing argument or a bad choice', async () => {
    expect((await cosell(['plan', 'frobnicate'])).code).toBe(ExitCode.invalid);
    expect((await cosell(['plan', 'show', 'pl_1', '--bogus'])).code).toBe(ExitCode.invalid);
    expect((await cosell(['plan', 'show'])).code).toBe(ExitCode.invalid);
    const bad = await cosell(['plan', 'show', 'pl_1', '--format', 'pdf']);
    expect(bad.code).toBe(ExitCode.invalid);
    expect(bad.stderr).toMatch(/Allowed choices are table, md, json/);
    expect((await cosell([])).code).toBe(ExitCode.invalid);
  });
});
