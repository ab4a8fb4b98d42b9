import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../../cli/exit-codes';
import { commentedSettings, initTenant } from '../../../cli/tenant-init';
import { loadTenantConfig, withoutLineComments } from '../../../lib/tenant-config';

const tempDir = () => mkdtempSync(join(tmpdir(), 'cosell-tenant-'));

describe('initTenant', () => {
  it('writes tenants/NAME.json that loadTenantConfig accepts as it is', () => {
    const dir = tempDir();
    const result = initTenant({
      name: 'acme-emea',
      dir,
      senderAddress: 'deals@acme.example',
      publicBaseUrl: 'https://deals.acme.example',
      defaultTimezone: 'Europe/Berlin',
      linkTtlDays: 21,
      region: 'eu-central-1',
    });
    expect(result.placeholders).toEqual([]);
    const config = loadTenantConfig({ tenant: 'acme-emea', context: () => undefined, rootDir: dir });
    expect(config).toMatchObject({
      tenant: 'acme-emea',
      source: join('tenants', 'acme-emea.json'),
      senderAddress: 'deals@acme.example',
      defaultTimezone: 'Europe/Berlin',
      linkTtlDays: 21,
      reminderSweepMinutes: 15,
      env: { region: 'eu-central-1' },
    });
  });

  it("fills what is not given with marked placeholders and the machine's time zone", () => {
    const dir = tempDir();
    const result = initTenant({ name: 'globex', dir, systemTimeZone: () => 'America/Chicago' });
    expect(result.placeholders).toEqual(['senderAddress', 'publicBaseUrl']);
    expect(JSON.parse(withoutLineComments(readFileSync(result.file, 'utf8')))).toEqual({
      senderAddress: 'deals@globex.example',
      publicBaseUrl: 'https://deals.globex.example',
      defaultTimezone: 'America/Chicago',
      linkTtlDays: 14,
      reminderSweepMinutes: 15,
      ghostingDays: 7,
      // Working days and grace (issue 15), written with their defaults.
      workweek: ['MON', 'TUE', 'WED', 'THU', 'FRI'],
      holidays: [],
      escalationGraceBusinessDays: 1,
      roomLinkTtlDays: 90,
      stageWeights: [10, 20, 40, 60, 80],
    });
    expect(readFileSync(result.file, 'utf8')).toMatch(/^ {2}\/\/ From address .*PLACEHOLDER/m);
    const readme = readFileSync(result.readme, 'utf8');
    expect(readme).toContain('# Tenant `globex`');
    expect(readme).toMatch(
      /\| `senderAddress` \| `deals@globex\.example` \| .*Placeholder: replace before deploying/,
    );
    expect(readme).toContain('npx cdk synth -c tenant=globex');
  });

  it('falls back to UTC when the machine has no usable time zone', () => {
    const result = initTenant({ name: 'globex', dir: tempDir(), systemTimeZone: () => undefined });
    expect(result.settings.defaultTimezone).toBe('UTC');
  });

  it('refuses to overwrite without force, and overwrites with it', () => {
    const dir = tempDir();
    initTenant({ name: 'globex', dir, defaultTimezone: 'UTC' });
    expect(() => initTenant({ name: 'globex', dir, defaultTimezone: 'UTC' })).toThrow(
      expect.objectContaining({ exitCode: ExitCode.invalid, message: expect.stringMatching(/--force/) }),
    );
    const again = initTenant({ name: 'globex', dir, defaultTimezone: 'UTC', linkTtlDays: 30, force: true });
    expect(JSON.parse(withoutLineComments(readFileSync(again.file, 'utf8'))).linkTtlDays).toBe(30);
  });

  it('validates the name as tenant-config does, and each setting with its schema', () => {
    for (const name of ['A', 'x', 'Globex', '1abc', 'a_b', 'a'.repeat(32)]) {
      expect(() => initTenant({ name, dir: tempDir() }), name).toThrow(
        expect.objectContaining({ exitCode: ExitCode.invalid }),
      );
    }
    expect(() => initTenant({ name: 'globex', dir: tempDir(), defaultTimezone: 'Mars/Olympus' })).toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ path: 'defaultTimezone' })] }),
    );
    expect(() =>
      initTenant({ name: 'globex', dir: tempDir(), linkTtlDays: 365, defaultTimezone: 'UTC' }),
    ).toThrow(
      expect.objectContaining({
        issues: [{ path: 'linkTtlDays', message: 'linkTtlDays must be at most 90' }],
      }),
    );
  });
});

describe('commentedSettings', () => {
  it('is the file with a comment over each setting (JSONC), and is JSON once the comments are gone', () => {
    const settings = {
      senderAddress: 'deals@acme.example',
      publicBaseUrl: 'https://deals.acme.example',
      defaultTimezone: 'UTC',
      linkTtlDays: 14,
      reminderSweepMinutes: 15,
      ghostingDays: 7,
      roomLinkTtlDays: 90,
      workweek: ['MON', 'TUE', 'WED', 'THU', 'FRI'] as ('MON' | 'TUE' | 'WED' | 'THU' | 'FRI')[],
      holidays: ['2026-12-25'],
      escalationGraceBusinessDays: 1,
      stageWeights: [10, 20, 40, 60, 80],
      env: { account: '123456789012', region: 'eu-west-1' },
    };
    // Channels hold secrets' names and are written by hand (README, "Channels"), so init leaves them out.
    const text = commentedSettings({ ...settings, channels: [] }, ['senderAddress']);
    expect(text).toMatch(/\/\/ From address .*PLACEHOLDER: replace before deploying\.\n {2}"senderAddress"/);
    const withoutComments = text.replace(/^\s*\/\/.*$/gm, '');
    expect(JSON.parse(withoutComments)).toEqual(settings);
  });
});
