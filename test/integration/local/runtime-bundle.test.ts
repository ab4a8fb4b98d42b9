import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLocalRuntimeBundle, type LoadOptions, loadLocalRuntime } from '../../../local/runtime-bundle';

// A cache of its own, under the repository (the bundle's `require` resolves from where it lies).
const repoRoot = resolve(import.meta.dirname, '../../..');
const cacheRoot = join(repoRoot, 'node_modules/.cache/cosell-flow');
mkdirSync(cacheRoot, { recursive: true });
const cacheDir = mkdtempSync(join(cacheRoot, 'test-runtime-bundle-'));
const manifestFile = join(cacheDir, 'manifest.json');

afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

async function load(options: LoadOptions = {}) {
  const traces: string[] = [];
  const runtime = await loadLocalRuntime({
    cacheDir,
    rebuild: false,
    ...options,
    trace: (phase) => traces.push(phase),
  });
  return { runtime, fromSource: traces.some((t) => t.includes('from source')) };
}

/** Built and loaded from the bundle; again if a source in the tree changed meanwhile (others at work). */
async function loadBuilt() {
  for (let attempt = 0; ; attempt++) {
    await buildLocalRuntimeBundle(cacheDir);
    const loaded = await load();
    if (!loaded.fromSource || attempt === 4) return loaded;
  }
}

describe('the local runtime bundle', () => {
  let built: Awaited<ReturnType<typeof loadBuilt>>;
  beforeAll(async () => {
    built = await loadBuilt();
  });

  it('runs the runtime from the bundle once built', async () => {
    const { runtime, fromSource } = built;
    expect(fromSource).toBe(false);
    expect(runtime.LOCAL_TENANT).toBe('local');
    expect(typeof runtime.startLocalStack).toBe('function');
  });

  it('gives stack traces at the TypeScript sources under tsx, as npm start runs it', async () => {
    // A bad tenant file is refused before anything starts: the error comes from inside the bundle.
    const script = `
      const { loadLocalRuntime } = await import(${JSON.stringify(join(repoRoot, 'local/runtime-bundle.ts'))});
      const runtime = await loadLocalRuntime({ cacheDir: ${JSON.stringify(cacheDir)}, rebuild: false,
        trace: (phase) => console.log(phase) });
      await runtime.startLocalStack({ port: 0, stateDir: ${JSON.stringify(cacheDir)} }).catch((e) => console.log(e.stack));`;
    const out = await new Promise<string>((done, fail) =>
      execFile(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', script],
        { cwd: repoRoot, env: { ...process.env, COSELL_TENANT_FILE: join(cacheDir, 'no-such.json') } },
        (error, stdout, stderr) => (error ? fail(new Error(stderr)) : done(stdout)),
      ),
    );
    expect(out).toContain('TenantConfigError');
    expect(out).not.toContain('from source');
    expect(out).toContain(join(repoRoot, 'lib/tenant-config.ts'));
    expect(out).toContain(join(repoRoot, 'local/runtime.ts'));
    expect(out).not.toContain('.cjs:');
  });

  it('is stale once a file it was built from changed: that start runs from source', async () => {
    if (!existsSync(manifestFile)) await loadBuilt();
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as {
      inputs: Record<string, [number, number]>;
    };
    const input = manifest.inputs['lambdas/handlers/plans-api.ts'];
    expect(input, 'the handlers are in the bundle').toBeDefined();
    manifest.inputs['lambdas/handlers/plans-api.ts'] = [(input as [number, number])[0] - 1, input?.[1] ?? 0];
    writeFileSync(manifestFile, JSON.stringify(manifest));
    const { runtime, fromSource } = await load();
    expect(fromSource).toBe(true);
    expect(typeof runtime.startLocalStack).toBe('function');
  });

  it('builds a stale bundle again in the background, for the next start', async () => {
    rmSync(manifestFile, { force: true });
    expect((await load({ rebuild: true })).fromSource).toBe(true);
    const building = join(cacheDir, 'building');
    expect(existsSync(building), 'a build runs').toBe(true);
    for (let i = 0; i < 900 && existsSync(building); i++) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(building), 'the build ended').toBe(false);
    expect(existsSync(join(cacheDir, 'build-error.txt'))).toBe(false);
    // Unless a source in the tree was edited while it built (then the next start builds again):
    if (existsSync(manifestFile)) expect((await load()).fromSource).toBe(false);
  });
});
