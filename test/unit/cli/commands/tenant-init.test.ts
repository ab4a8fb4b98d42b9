import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../../../cli/exit-codes';
import { cosell, tempDir } from './cosell-harness';

describe('cosell tenant init', () => {
  it('writes the tenant file and its README, and refuses to overwrite without --force', async () => {
    const dir = tempDir();
    const args = ['tenant', 'init', 'globex-emea', '--dir', dir, '--timezone', 'Europe/Berlin'];
    const first = await cosell(args);
    expect(first.code).toBe(ExitCode.ok);
    expect(first.stdout).toContain('Replace before deploying: senderAddress, publicBaseUrl.');
    expect(existsSync(join(dir, 'tenants', 'globex-emea.json'))).toBe(true);
    expect(existsSync(join(dir, 'tenants', 'globex-emea.README.md'))).toBe(true);
    const again = await cosell(args);
    expect(again.code).toBe(ExitCode.invalid);
    expect(again.stderr).toMatch(/already exist.*--force/);
    expect((await cosell([...args, '--force'])).code).toBe(ExitCode.ok);
  });

  it('exits 2 for an invalid name or setting', async () => {
    expect((await cosell(['tenant', 'init', 'Globex', '--dir', tempDir()])).code).toBe(ExitCode.invalid);
    const bad = await cosell([
      'tenant',
      'init',
      'globex',
      '--dir',
      tempDir(),
      '--public-base-url',
      'http://deals.example',
    ]);
    expect(bad.code).toBe(ExitCode.invalid);
    expect(bad.stderr).toContain('publicBaseUrl  publicBaseUrl must be an https:// URL');
    expect(
      (await cosell(['tenant', 'init', 'globex', '--dir', tempDir(), '--link-ttl-days', 'two'])).code,
    ).toBe(ExitCode.invalid);
  });
});
