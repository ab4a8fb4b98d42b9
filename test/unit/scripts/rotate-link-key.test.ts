import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseKeyRing, verifyingKey } from '../../../lambdas/domain/signing-keys';
import {
  localNow,
  main,
  parseOptions,
  rotateKeyFile,
  rotateRingText,
  rotateSecret,
  UsageError,
} from '../../../scripts/rotate-link-key';

const K1 = 'q8Zr3VbN0wYt6Lp2Xk9Hs4Dm7Fc1Gj5Ae8Ru0Ti3Oy6Pw9Qx2Mz5Lb8Nv1Kc4Jd7';
const K2 = 'Wn4Ty7Ub0Iv3Oc6Px9Az2Sd5Fg8Hj1Kl4Zx7Cv0Bn3Mq6We9Rt2Yu5Io8Pa1Sd4F';
const NOW = new Date('2027-01-20T12:00:00.000Z');
const SECRET_ID = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:cosell-flow/acme/link-keys-AbCdEf';
const GENERATED = JSON.stringify({ current: 'k1', k1: K1 });

const secrets = mockClient(SecretsManagerClient);
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rotate-link-key-'));
});

afterEach(() => {
  secrets.reset();
  rmSync(dir, { recursive: true, force: true });
});

function keyFile(text = `${JSON.stringify({ current: 'k1', k1: K1 }, null, 2)}\n`): string {
  const file = join(dir, 'link-keys.json');
  writeFileSync(file, text, { mode: 0o600 });
  return file;
}

describe('parseOptions', () => {
  it('rotates the local key file by default, under COSELL_STATE_DIR when set', () => {
    // Act / Assess
    expect(parseOptions([], {})).toEqual({
      target: { kind: 'file', file: resolve('.cosell/link-keys.json') },
      // The window printed is the functions' (default lifetime); no key is dropped before the 90-day maximum.
      linkTtlDays: 14,
      keepDays: 90,
      ttlGiven: false,
      dryRun: false,
    });
    expect(parseOptions([], { COSELL_STATE_DIR: '/srv/state' }).target).toEqual({
      kind: 'file',
      file: '/srv/state/link-keys.json',
    });
  });

  it('takes --file, --secret-id, --link-ttl-days (else LINK_TTL_DAYS) and --dry-run', () => {
    // Act / Assess
    expect(parseOptions(['--file', '/tmp/k.json'], {}).target).toEqual({ kind: 'file', file: '/tmp/k.json' });
    expect(parseOptions(['--secret-id', SECRET_ID, '--link-ttl-days', '30', '--dry-run'], {})).toEqual({
      target: { kind: 'secret', secretId: SECRET_ID },
      linkTtlDays: 30,
      keepDays: 30,
      ttlGiven: true,
      dryRun: true,
    });
    expect(parseOptions([], { LINK_TTL_DAYS: '21' }).linkTtlDays).toBe(21);
  });

  it.each([
    [['--file', 'a', '--secret-id', 'b']],
    [['--link-ttl-days', '0']],
    [['--link-ttl-days', '91']],
    [['--link-ttl-days', '1.5']],
    [['--secret']],
    [['positional']],
  ])('refuses %j as a usage error', (argv) => {
    // Act / Assess
    expect(() => parseOptions(argv, {})).toThrow(UsageError);
  });
});

describe('rotateRingText', () => {
  it('rolls in a new key as k<n+1>, retires the old one now, and writes flat JSON strings', () => {
    // Act
    const { text, after } = rotateRingText(GENERATED, NOW, 14, K2);

    // Assess
    expect(JSON.parse(text)).toEqual({ current: 'k2', k2: K2, k1: K1, 'k1.retiredAt': NOW.toISOString() });
    expect(text.endsWith('\n')).toBe(true);
    expect(after.current).toBe('k2');
  });

  it('generates a 64-character key when none is given', () => {
    // Act
    const { after } = rotateRingText(GENERATED, NOW, 14);

    // Assess
    expect(after.keys.get('k2')?.key).toMatch(/^[A-Za-z0-9_-]{64}$/);
  });

  it('refuses text that is not a ring, without writing a key in the message', () => {
    // Act / Assess
    expect(() => rotateRingText('k1=abc', NOW, 14)).toThrow('not JSON');
    expect(() => rotateRingText(JSON.stringify({ current: 'k2', k1: K1 }), NOW, 14)).toThrow(
      'the current key "k2" is not in the ring',
    );
  });
});

describe('rotateKeyFile', () => {
  it('rewrites the file in place, owner-only, leaving no temporary file', () => {
    // Prepare
    const file = keyFile();

    // Act
    const rotation = rotateKeyFile(file, NOW, 14);

    // Assess
    const ring = parseKeyRing(JSON.parse(readFileSync(file, 'utf8')));
    expect(ring.current).toBe('k2');
    expect(ring.keys.get('k1')).toEqual({ key: K1, retiredAt: NOW });
    expect(rotation.after).toEqual(ring);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['link-keys.json']); // no temporary file left behind
  });

  it('drops a key past its window on the next rotation', () => {
    // Prepare: k1 was retired 20 days ago.
    const file = keyFile(
      JSON.stringify({ current: 'k2', k2: K2, k1: K1, 'k1.retiredAt': '2026-12-31T12:00:00.000Z' }),
    );

    // Act
    rotateKeyFile(file, NOW, 14);

    // Assess
    const ring = parseKeyRing(JSON.parse(readFileSync(file, 'utf8')));
    expect([...ring.keys.keys()].sort()).toEqual(['k2', 'k3']);
    expect(verifyingKey(ring, 'k2', NOW, 14)).toBeDefined();
  });

  it('writes nothing on a dry run', () => {
    // Prepare
    const file = keyFile();
    const before = readFileSync(file, 'utf8');

    // Act
    rotateKeyFile(file, NOW, 14, true);

    // Assess
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('says how to create a missing key file', () => {
    // Act / Assess
    expect(() => rotateKeyFile(join(dir, 'none.json'), NOW, 14)).toThrow(/no key file at .*npm start/);
  });
});

describe('localNow', () => {
  it('adds the local stack’s saved clock offset, so retiredAt is on the clock its functions use', () => {
    // Prepare
    const file = keyFile();
    writeFileSync(join(dir, 'clock.json'), JSON.stringify({ offsetMs: 30 * 86_400_000 }));

    // Act / Assess
    expect(localNow(file, NOW)).toEqual(new Date('2027-02-19T12:00:00.000Z'));
  });

  it('is real time without a saved clock', () => {
    // Act / Assess
    expect(localNow(keyFile(), NOW)).toBe(NOW);
  });

  it('stamps the local file on the local clock', async () => {
    // Prepare
    const file = keyFile();
    writeFileSync(join(dir, 'clock.json'), JSON.stringify({ offsetMs: 86_400_000 }));
    const lines: string[] = [];

    // Act
    await main(['--file', file, '--link-ttl-days', '14'], { log: (l) => lines.push(l), now: () => NOW });

    // Assess
    const ring = parseKeyRing(JSON.parse(readFileSync(file, 'utf8')));
    expect(ring.keys.get('k1')?.retiredAt).toEqual(new Date('2027-01-21T12:00:00.000Z'));
    expect(lines[0]).toBe("Using the local stack's clock: 2027-01-21T12:00:00.000Z.");
  });
});

describe('rotateSecret', () => {
  it('reads the secret and puts the rotated ring as its new value', async () => {
    // Prepare
    secrets.on(GetSecretValueCommand, { SecretId: SECRET_ID }).resolves({ SecretString: GENERATED });
    secrets.on(PutSecretValueCommand).resolves({ VersionId: 'v2' });

    // Act
    const rotation = await rotateSecret(new SecretsManagerClient({}), SECRET_ID, NOW, 14);

    // Assess
    const puts = secrets.commandCalls(PutSecretValueCommand);
    expect(puts).toHaveLength(1);
    const input = puts[0]?.args[0].input;
    expect(input?.SecretId).toBe(SECRET_ID);
    const ring = parseKeyRing(JSON.parse(input?.SecretString ?? ''));
    expect(ring).toEqual(rotation.after);
    expect(ring.current).toBe('k2');
    expect(ring.keys.get('k1')).toEqual({ key: K1, retiredAt: NOW });
  });

  it('puts nothing on a dry run, or when the secret is not a ring', async () => {
    // Prepare
    secrets
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: GENERATED })
      .resolves({ SecretString: JSON.stringify({ k1: K1 }) });
    const client = new SecretsManagerClient({});

    // Act
    await rotateSecret(client, SECRET_ID, NOW, 14, true);
    const failure = await rotateSecret(client, SECRET_ID, NOW, 14).catch((error: Error) => error);

    // Assess
    expect(failure).toBeInstanceOf(Error);
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });
});

describe('main', () => {
  it('rotates a secret and prints what it did, never a key', async () => {
    // Prepare
    secrets.on(GetSecretValueCommand).resolves({ SecretString: GENERATED });
    secrets.on(PutSecretValueCommand).resolves({});
    const lines: string[] = [];

    // Act
    const code = await main(['--secret-id', SECRET_ID, '--link-ttl-days', '14'], {
      log: (line) => lines.push(line),
      client: () => new SecretsManagerClient({}),
      now: () => NOW,
    });

    // Assess
    const out = lines.join('\n');
    expect(code).toBe(0);
    expect(out).toContain(`Rotated the link keys in secret ${SECRET_ID} (link lifetime 14 days):`);
    expect(out).toContain('k2 is new and signs from now on');
    expect(out).toContain('k1 retired now; verifies links until 2027-02-03T12:05:00.000Z');
    expect(out).not.toContain(K1);
    const newKey = parseKeyRing(
      JSON.parse(secrets.commandCalls(PutSecretValueCommand)[0]?.args[0].input.SecretString ?? ''),
    ).keys.get('k2')?.key;
    expect(out).not.toContain(newKey);
  });

  it('rotates the local file and reports dropped keys', async () => {
    // Prepare
    const file = keyFile(
      JSON.stringify({ current: 'k2', k2: K2, k1: K1, 'k1.retiredAt': '2026-10-01T00:00:00.000Z' }),
    );
    const lines: string[] = [];

    // Act
    await main(['--file', file], { log: (line) => lines.push(line), now: () => NOW });

    // Assess
    const out = lines.join('\n');
    expect(out).toContain(`Rotated the link keys in ${file} (link lifetime 14 days):`);
    expect(out).toContain('k3 is new and signs from now on');
    expect(out).toContain('k1 dropped (retired 2026-10-01T00:00:00.000Z; every link it signed has expired)');
    expect(out).not.toContain(K2);
  });

  it('prints the window the functions honour (linkTtlDays + their 5-minute key cache), not the 90-day maximum', async () => {
    // Prepare: a ring with one key; the functions verify a retired key for linkTtlDays (14) + 5 minutes.
    const file = keyFile(JSON.stringify({ current: 'k1', k1: K1 }));
    const lines: string[] = [];

    // Act
    await main(['--file', file], { log: (line) => lines.push(line), now: () => NOW });

    // Assess
    const until = new Date(NOW.getTime() + 14 * 86_400_000 + 5 * 60_000).toISOString();
    expect(lines.join('\n')).toContain(`k1 retired now; verifies links until ${until}`);
    expect(parseOptions([], {})).toMatchObject({ linkTtlDays: 14, keepDays: 90, ttlGiven: false });
    expect(parseOptions(['--link-ttl-days', '30'], {})).toMatchObject({ linkTtlDays: 30, keepDays: 30 });
  });
});
