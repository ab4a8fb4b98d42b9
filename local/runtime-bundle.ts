import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { Module } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Plugin } from 'esbuild';

/**
 * `npm start` runs the local runtime (local/runtime.ts, the handlers and their packages, about 1,200
 * modules) from one CommonJS bundle instead of through tsx module by module. Under tsx every module goes
 * through its loader thread and the SES emulator through its require hook: about 1.5 s of CPU that the
 * JVM of DynamoDB Local, booting at the same time on the same cores, would otherwise have.
 *
 * The bundle is cached in node_modules/.cache/cosell-flow/local-runtime/ with the size and mtime of every
 * file that went into it; a start after any of them changed (a source edit, an `npm install`, a new Node or
 * esbuild, this file) builds it again first (about 1.5 s, while DynamoDB Local boots). The code is the same
 * code: the handlers are still imported only when the runtime imports them, with the source maps on stack
 * traces point at the TypeScript sources. If the bundle cannot be built, or with COSELL_LOCAL_BUNDLE=0,
 * the runtime is imported from source.
 */

type LocalRuntime = typeof import('./runtime');

const REPO_ROOT = resolve(import.meta.dirname, '..');
const CACHE_DIR = join(REPO_ROOT, 'node_modules/.cache/cosell-flow/local-runtime');
const MANIFEST = join(CACHE_DIR, 'manifest.json');
/** Loaded only for the CDK synth the integration tests run, or with `ace` on: left to Node and tsx. */
const EXTERNAL = ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs', 'cdk-nag'];
/** Not imported by the bundle, but they change what it is built from. */
const EXTRA_INPUTS = ['package-lock.json', 'tsconfig.json', 'local/runtime-bundle.ts'];
/** A bundle another start is not loading any more. */
const STALE_AFTER_MS = 10 * 60_000;

interface Manifest {
  key: string;
  /** The bundle's file name in CACHE_DIR. */
  bundle: string;
  /** Path (relative to the repository) -> [mtimeMs, size] when it was built. */
  inputs: Record<string, [number, number]>;
}

/** The local runtime's module, from the cached bundle (built first if stale), or from source. */
export async function loadLocalRuntime(
  trace: (phase: string) => void = () => undefined,
  log: (line: string) => void = console.error,
): Promise<LocalRuntime> {
  if (process.env.COSELL_LOCAL_BUNDLE === '0') return import('./runtime');
  const key = cacheKey();
  let bundle = freshBundle(key);
  if (!bundle) {
    try {
      bundle = await buildBundle(key);
      trace('local runtime bundled (its sources changed)');
    } catch (error) {
      const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
      log(`The local runtime could not be bundled (${reason}); running it from source.`);
      return import('./runtime');
    }
  }
  return compile(bundle.file, bundle.code);
}

/** What the bundle was built by and for (read from esbuild's package.json: importing it takes a while). */
function cacheKey(): string {
  const esbuildPackage = join(REPO_ROOT, 'node_modules/esbuild/package.json');
  const { version } = JSON.parse(readFileSync(esbuildPackage, 'utf8')) as { version: string };
  return `${process.version} esbuild ${version}`;
}

/** The cached bundle, if every input is as it was when it was built. */
function freshBundle(key: string): { file: string; code: string } | undefined {
  try {
    const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as Manifest;
    if (manifest.key !== key) return undefined;
    for (const [path, [mtimeMs, size]] of Object.entries(manifest.inputs)) {
      const stat = statSync(join(REPO_ROOT, path));
      if (stat.mtimeMs !== mtimeMs || stat.size !== size) return undefined;
    }
    const file = join(CACHE_DIR, manifest.bundle);
    return { file, code: readFileSync(file, 'utf8') };
  } catch {
    return undefined; // no cache yet, an input gone, or a bundle removed: build
  }
}

async function buildBundle(key: string): Promise<{ file: string; code: string }> {
  const esbuild = await import('esbuild');
  const startedAt = Date.now();
  const result = await esbuild.build({
    entryPoints: [join(REPO_ROOT, 'local/runtime.ts')],
    absWorkingDir: REPO_ROOT,
    bundle: true,
    platform: 'node',
    target: `node${process.versions.node.split('.')[0]}`,
    format: 'cjs',
    outfile: join(CACHE_DIR, 'runtime.cjs'),
    write: false,
    sourcemap: 'linked',
    minifyWhitespace: true, // a third smaller, and so quicker to read and parse at every start
    sourcesContent: false,
    external: EXTERNAL,
    plugins: [ownLocation()],
    metafile: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles.find((f) => f.path.endsWith('.cjs'))?.text;
  const map = result.outputFiles.find((f) => f.path.endsWith('.map'))?.text;
  if (code === undefined || map === undefined) throw new Error('esbuild gave no bundle');
  const name = `runtime-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.cjs`;
  const file = join(CACHE_DIR, name);
  mkdirSync(CACHE_DIR, { recursive: true });
  // The file names its map by the name esbuild gave it; written under the bundle's own name.
  const named = code.replace(/sourceMappingURL=runtime\.cjs\.map\s*$/, `sourceMappingURL=${name}.map\n`);
  writeAtomically(`${file}.map`, map);
  writeAtomically(file, named);

  // An input changed while the bundle was built (its mtime is that recent) is not recorded as built from:
  // without a manifest, the next start builds again.
  const inputs: Manifest['inputs'] = {};
  let settled = true;
  for (const path of [...Object.keys(result.metafile.inputs), ...EXTRA_INPUTS]) {
    const stat = statSync(join(REPO_ROOT, path));
    if (stat.mtimeMs >= startedAt - 2_000) settled = false;
    inputs[path] = [stat.mtimeMs, stat.size];
  }
  if (settled) writeAtomically(MANIFEST, JSON.stringify({ key, bundle: name, inputs } satisfies Manifest));
  removeOldBundles(name);
  return { file, code: named };
}

/**
 * Each module keeps its own location: `import.meta.url`, `import.meta.dirname`, `__dirname` and `__filename`
 * are its source file's, not the bundle's (the runtime finds the repository by them, the SES emulator its
 * page, `createRequire` its packages).
 */
function ownLocation(): Plugin {
  return {
    name: 'own-location',
    setup(build) {
      build.onLoad({ filter: /\.[cm]?[jt]s$/ }, async (args) => {
        const source = readFileSync(args.path, 'utf8');
        if (!/import\.meta|__dirname|__filename/.test(source)) return undefined;
        const { transform } = await import('esbuild');
        const loader = /\.[cm]?ts$/.test(args.path) ? 'ts' : 'js';
        const out = await transform(source, {
          loader,
          format: 'esm',
          target: 'esnext',
          sourcefile: args.path,
          sourcemap: 'inline',
          define: {
            'import.meta.url': JSON.stringify(pathToFileURL(args.path).href),
            'import.meta.dirname': JSON.stringify(dirname(args.path)),
            'import.meta.filename': JSON.stringify(args.path),
            __dirname: JSON.stringify(dirname(args.path)),
            __filename: JSON.stringify(args.path),
          },
          logLevel: 'silent',
        });
        return { contents: out.code, loader: 'js', resolveDir: dirname(args.path) };
      });
    },
  };
}

/**
 * Runs the bundle as a CommonJS module of its own (not `require`, which tsx's hook would transform
 * again). Its `require` resolves from the cache directory, that is from the repository's node_modules.
 */
function compile(file: string, code: string): LocalRuntime {
  const module = new Module(file) as Module & { _compile(code: string, file: string): void };
  module.filename = file;
  module.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(
    dirname(file),
  );
  module._compile(code, file);
  return module.exports as LocalRuntime;
}

function writeAtomically(file: string, content: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, file);
}

function removeOldBundles(keep: string): void {
  for (const name of readdirSync(CACHE_DIR)) {
    if (name.startsWith(keep) || name === 'manifest.json') continue;
    const path = join(CACHE_DIR, name);
    try {
      if (Date.now() - statSync(path).mtimeMs > STALE_AFTER_MS) rmSync(path, { force: true });
    } catch {
      // removed by another start meanwhile
    }
  }
}
