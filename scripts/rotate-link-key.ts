/**
 * Rotates the link-signing key ring: a new key signs from now on, the old one keeps verifying until the
 * links it signed have expired, and keys past that are dropped (lambdas/domain/signing-keys.ts).
 *
 *   npm run keys:rotate                                # the local key file: $COSELL_STATE_DIR/link-keys.json
 *   npm run keys:rotate -- --file path/to/link-keys.json
 *   npm run keys:rotate -- --secret-id <arn>           # a deployed tenant's secret (needs AWS credentials)
 *   options: --link-ttl-days N   the tenant's link lifetime (its `linkTtlDays`): the window a retired key
 *                                verifies in, as the functions honour it, and when it is dropped (default:
 *                                LINK_TTL_DAYS, else the default lifetime, 14; without the option no key is
 *                                dropped before 90 days, the longest a tenant may set)
 *            --dry-run           print what would change and write nothing
 *
 * The local key file is stamped on the local stack's clock (`clock.json` beside it, which
 * `POST /_local/clock` moves), the clock its functions judge retired keys by.
 *
 * Prints what it did; never prints a key. Exit 1 on a bad argument or a ring it cannot read.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { LINK_TTL_DAYS } from '../lambdas/domain/defaults';
import {
  KEY_RING_MAX_AGE_SECONDS,
  type KeyRing,
  newKeyMaterial,
  nextKid,
  parseKeyRing,
  rotate,
  serializeKeyRing,
} from '../lambdas/domain/signing-keys';

/** The longest link lifetime a tenant may set (lib/tenant-config.ts): the safe default for dropping keys. */
export const MAX_LINK_TTL_DAYS = 90;

export type Target = { kind: 'file'; file: string } | { kind: 'secret'; secretId: string };

export interface Options {
  target: Target;
  /** The link lifetime the functions honour: a retired key verifies this long (+ their 5-minute cache). */
  linkTtlDays: number;
  /** Days after retirement a key is dropped: the lifetime given, else the longest a tenant may set. */
  keepDays: number;
  /** Whether the lifetime was given (option or LINK_TTL_DAYS) rather than assumed to be the default. */
  ttlGiven: boolean;
  dryRun: boolean;
}

const USAGE =
  'usage: rotate-link-key [--file <link-keys.json> | --secret-id <arn>] [--link-ttl-days N] [--dry-run]';

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): Options {
  let values: { file?: string; 'secret-id'?: string; 'link-ttl-days'?: string; 'dry-run'?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        file: { type: 'string' },
        'secret-id': { type: 'string' },
        'link-ttl-days': { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.file !== undefined && values['secret-id'] !== undefined) {
    throw new UsageError('give --file or --secret-id, not both');
  }
  const given = values['link-ttl-days'] ?? env.LINK_TTL_DAYS;
  const ttlText = given ?? String(LINK_TTL_DAYS);
  const linkTtlDays = Number(ttlText);
  if (!/^\d+$/.test(ttlText) || linkTtlDays < 1 || linkTtlDays > MAX_LINK_TTL_DAYS) {
    throw new UsageError(`--link-ttl-days must be a whole number from 1 to ${MAX_LINK_TTL_DAYS}`);
  }
  const secretId = values['secret-id'];
  const target: Target = secretId
    ? { kind: 'secret', secretId }
    : {
        kind: 'file',
        file: resolve(values.file ?? join(env.COSELL_STATE_DIR ?? '.cosell', 'link-keys.json')),
      };
  return {
    target,
    linkTtlDays,
    keepDays: given === undefined ? MAX_LINK_TTL_DAYS : linkTtlDays,
    ttlGiven: given !== undefined,
    dryRun: values['dry-run'] ?? false,
  };
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface Rotation {
  before: KeyRing;
  after: KeyRing;
  /** The ring as the secret or file holds it: flat JSON strings. */
  text: string;
}

/** The pure step: reads the ring's text, rolls in a new key, returns the new text. */
export function rotateRingText(
  text: string,
  now: Date,
  linkTtlDays: number,
  newKey: string = newKeyMaterial(),
): Rotation {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error('the link-key ring is not JSON');
  }
  const before = parseKeyRing(raw);
  const after = rotate(before, now, nextKid(before), newKey, linkTtlDays);
  return { before, after, text: `${JSON.stringify(serializeKeyRing(after), null, 2)}\n` };
}

/** What changed, in words; key ids and dates only. */
export function describeRotation(where: string, { before, after }: Rotation, linkTtlDays: number): string {
  const lines = [
    `Rotated the link keys in ${where} (link lifetime ${linkTtlDays} days):`,
    `  ${after.current} is new and signs from now on`,
  ];
  for (const [kid, entry] of after.keys) {
    if (kid === after.current || !entry.retiredAt) continue;
    const until = new Date(
      entry.retiredAt.getTime() + linkTtlDays * 86_400_000 + KEY_RING_MAX_AGE_SECONDS * 1000,
    );
    const what = kid === before.current ? 'retired now' : `retired ${entry.retiredAt.toISOString()}`;
    lines.push(`  ${kid} ${what}; verifies links until ${until.toISOString()}`);
  }
  for (const [kid, entry] of before.keys) {
    if (!after.keys.has(kid)) {
      lines.push(
        `  ${kid} dropped (retired ${entry.retiredAt?.toISOString()}; every link it signed has expired)`,
      );
    }
  }
  lines.push(
    `Running functions sign with the new key within ${KEY_RING_MAX_AGE_SECONDS / 60} minutes (their cache); links they sign meanwhile still verify.`,
  );
  return lines.join('\n');
}

/** The local stack's clock: real time plus the offset `POST /_local/clock` saved beside the key file. */
export function localNow(file: string, realNow: Date = new Date()): Date {
  try {
    const { offsetMs } = JSON.parse(readFileSync(join(dirname(file), 'clock.json'), 'utf8')) as {
      offsetMs?: unknown;
    };
    if (typeof offsetMs === 'number' && Number.isFinite(offsetMs) && offsetMs > 0) {
      return new Date(realNow.getTime() + offsetMs);
    }
  } catch {
    // No local clock saved (or unreadable): real time.
  }
  return realNow;
}

/** Rotates the local key file in place (written whole, then renamed over the old one, owner-only). */
export function rotateKeyFile(file: string, now: Date, linkTtlDays: number, dryRun = false): Rotation {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`no key file at ${file}: start the local stack once (npm start) to create it`);
    }
    throw error;
  }
  const rotation = rotateRingText(text, now, linkTtlDays);
  if (!dryRun) {
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, rotation.text, { mode: 0o600 });
    renameSync(temporary, file);
  }
  return rotation;
}

/** Rotates a deployed tenant's secret: GetSecretValue, then PutSecretValue of the new ring (a new version). */
export async function rotateSecret(
  client: SecretsManagerClient,
  secretId: string,
  now: Date,
  linkTtlDays: number,
  dryRun = false,
): Promise<Rotation> {
  const current = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  if (current.SecretString === undefined) throw new Error(`the secret ${secretId} holds no string value`);
  const rotation = rotateRingText(current.SecretString, now, linkTtlDays);
  if (!dryRun) {
    await client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: rotation.text }));
  }
  return rotation;
}

export async function main(
  argv: string[],
  io: { log: (line: string) => void; client?: () => SecretsManagerClient; now?: () => Date } = {
    log: console.log,
  },
): Promise<number> {
  const options = parseOptions(argv);
  const realNow = io.now?.() ?? new Date();
  const { target, linkTtlDays, keepDays, dryRun } = options;
  let rotation: Rotation;
  let where: string;
  if (target.kind === 'file') {
    const now = localNow(target.file, realNow);
    rotation = rotateKeyFile(target.file, now, keepDays, dryRun);
    where = target.file;
    if (now !== realNow) io.log(`Using the local stack's clock: ${now.toISOString()}.`);
  } else {
    const client = io.client?.() ?? new SecretsManagerClient({});
    try {
      rotation = await rotateSecret(client, target.secretId, realNow, keepDays, dryRun);
    } finally {
      client.destroy();
    }
    where = `secret ${target.secretId}`;
  }
  io.log(describeRotation(where, rotation, linkTtlDays));
  if (!options.ttlGiven && target.kind === 'secret') {
    io.log(
      `The window assumes the default link lifetime (${LINK_TTL_DAYS} days); if the tenant sets linkTtlDays, pass --link-ttl-days N.`,
    );
  }
  if (dryRun) io.log('Dry run: nothing was written.');
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      if (error instanceof UsageError) console.error(USAGE);
      process.exitCode = 1;
    },
  );
}
