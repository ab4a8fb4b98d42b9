import { execSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAZY_MODULES, shipLazyModules } from '../../../lib/constructs/cosell-function';
import { BENCH_ENV, bundleOptions, HANDLERS_DIR, REPO_ROOT } from '../../../scripts/bench-bundles';

// plans-api as deployed: js-yaml kept out of index.mjs and copied beside it by the construct's hook.
// A JSON body never loads js-yaml; a YAML body loads it from the shipped copy.

let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cosell-lazy-'));
  const lazy = LAZY_MODULES['plans-api'] ?? [];
  await build({
    ...bundleOptions(join(dir, 'index.mjs'), { external: lazy }),
    entryPoints: [join(HANDLERS_DIR, 'plans-api.ts')],
  });
  for (const command of shipLazyModules(lazy).afterBundling(REPO_ROOT.replace(/\/$/, ''), dir))
    execSync(command);
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the bundle's handler on a POST /plans body in a fresh node, from a directory with no node_modules. */
function post(body: string, contentType: string) {
  const event = JSON.parse(
    readFileSync(join(REPO_ROOT, 'test/fixtures/events/http-api/plans-post.json'), 'utf8'),
  );
  event.body = body;
  event.isBase64Encoded = false;
  event.headers = { ...event.headers, 'content-type': contentType };
  const program = `
    const { handler } = await import(${JSON.stringify(join(dir, 'index.mjs'))});
    const result = await handler(${JSON.stringify(event)});
    process.stdout.write(JSON.stringify({ status: result.statusCode, body: JSON.parse(result.body) }));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', program], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', ...BENCH_ENV, POWERTOOLS_LOG_LEVEL: 'SILENT' },
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout) as { status: number; body: { error: string; issues: { message: string }[] } };
}

describe('lazy modules (plans-api and js-yaml)', () => {
  it('keeps js-yaml out of the bundle and out of its static imports', () => {
    const text = readFileSync(join(dir, 'index.mjs'), 'utf8');
    expect(text).not.toMatch(/(?:from|import)\s*["']js-yaml["']/);
    expect(text).toContain('import("js-yaml")');
  });

  it('parses a YAML body with the js-yaml shipped beside the bundle', () => {
    const result = post('name: [unclosed', 'application/yaml');
    expect(result.status).toBe(400);
    expect(result.body.issues[0]?.message).toMatch(/^invalid YAML: /);
  });

  it('answers a JSON body without js-yaml', () => {
    const result = post('{"name": ', 'application/json');
    expect(result.status).toBe(400);
    expect(result.body.issues[0]?.message).toMatch(/^invalid JSON: /);
  });
});
