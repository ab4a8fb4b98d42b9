import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { Module } from 'node:module';
import { setPriority } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Plugin } from 'esbuild';

/**
 * `npm start` runs the local runtime (local/runtime.ts, the handlers and their packages, about 1,300
 * modules) from one CommonJS bundle instead of through tsx module by module. Under tsx every module goes
 * through its loader thread and the SES emulator through its require hook: about 1.3 s of CPU that the
 * JVM of DynamoDB Local, booting at the same time on the same two cores, would otherwise have.
 *
 * The bundle is cached in node_modules/.cache/cosell-flow/local-runtime/ with the size and mtime of every
 * file that went into it. A start after any of them changed (a source edit, an `npm install`, another Node
 * or esbuild, this file) runs the runtime from source, as before, and builds the bundle again in a
 * process of its own at the lowest CPU priority, for the next start. It is the same code: the handlers
 * are still imported only when the runtime imports them, and with the source maps, stack traces point at
 * the TypeScript sources. COSELL_LOCAL_BUNDLE=0 always runs from source.
 */

type LocalRuntime = typeof import('./runtime');

const REPO_ROOT = resolve(import.meta.dirname, '..');
const DEFAULT_CACHE_DIR = join(REPO_ROOT, 'node_modules/.cache/cosell-flow/local-runtime');
/** Loaded only for the CDK synth the integration tests run, or with `ace` on: left to Node and tsx. */
const EXTERNAL = ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs', 'cdk-nag'];
/**
 * Packages the SES emulator requires at start but only calls on paths the stack does not take (raw MIME
 * messages, SMTP relay, `.eml` downloads): in the bundle, loaded when first used (about 0.3 s less CPU).
 */
const LOADED_ON_FIRST_USE = {
  importer: /node_modules\/aws-ses-v2-local\//,
  packages: ['mailparser', 'nodemailer'],
};
/** Not imported by the bundle, but they change what it is built from. */
const EXTRA_INPUTS = ['package-lock.json', 'tsconfig.json', 'local/runtime-bundle.ts'];
/** A bundle no start is loading any more; a build that has not ended by then is taken as gone. */
const STALE_AFTER_MS = 10 * 60_000;
const BUILDING_FOR_MS = 2 * 60_000;

interface Manifest {
  key: string;
  /** The bundle's file name in the cache directory. */
  bundle: string;
  /** Path (relative to the repository) -> [mtimeMs, size] when it was built. */
  inputs: Record<string, [number, number]>;
}

export interface LoadOptions {
  /** Told how the runtime was loaded when not from the bundle (`npm run bench:start` prints it). */
  trace?: (phase: string) => void;
  log?: (line: string) => void;
  /** Default node_modules/.cache/cosell-flow/local-runtime. */
  cacheDir?: string;
  /** When stale, build the bundle again in the background (default true). */
  rebuild?: boolean;
}

/** The local runtime's module: from the cached bundle, or from source while the bundle is rebuilt. */
export async function loadLocalRuntime(options: LoadOptions = {}): Promise<LocalRuntime> {
  const { trace = () => undefined, log = console.error, rebuild = true } = options;
  const cacheDir = options.cacheDir ?? DEFAULT_CACHE_DIR;
  if (process.env.COSELL_LOCAL_BUNDLE === '0') return import('./runtime');
  const bundle = freshBundle(cacheDir);
  if (bundle) return compile(bundle.file, bundle.code);
  const failed = readOr(join(cacheDir, 'build-error.txt'), '');
  if (failed) log(`The local runtime could not be bundled last time (${failed}); running it from source.`);
  if (rebuild) buildInBackground(cacheDir);
  trace('local runtime from source (its bundle is rebuilt for the next start)');
  return import('./runtime');
}

/** Builds the bundle now unless it is fresh (`npm run bench:start` measures starts from a current bundle). */
export async function ensureLocalRuntimeBundle(cacheDir = DEFAULT_CACHE_DIR): Promise<'fresh' | 'built'> {
  if (freshBundle(cacheDir)) return 'fresh';
  await buildLocalRuntimeBundle(cacheDir);
  return 'built';
}

/** Builds the bundle into `cacheDir`; `settled` false when an input changed meanwhile (then it is not kept). */
export async function buildLocalRuntimeBundle(
  cacheDir = DEFAULT_CACHE_DIR,
): Promise<{ file: string; settled: boolean }> {
  const esbuild = await import('esbuild');
  const startedAt = Date.now();
  const result = await esbuild.build({
    entryPoints: [join(REPO_ROOT, 'local/runtime.ts')],
    absWorkingDir: REPO_ROOT,
    bundle: true,
    platform: 'node',
    target: `node${process.versions.node.split('.')[0]}`,
    format: 'cjs',
    outfile: join(cacheDir, 'runtime.cjs'),
    write: false,
    sourcemap: 'linked',
    sourcesContent: false,
    minifyWhitespace: true, // a third smaller, and so quicker to read and parse at every start
    external: EXTERNAL,
    plugins: [ownLocation(), loadedOnFirstUse(LOADED_ON_FIRST_USE)],
    metafile: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles.find((f) => f.path.endsWith('.cjs'))?.text;
  const map = result.outputFiles.find((f) => f.path.endsWith('.map'))?.text;
  if (code === undefined || map === undefined) throw new Error('esbuild gave no bundle');
  const name = `runtime-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.cjs`;
  const file = join(cacheDir, name);
  mkdirSync(cacheDir, { recursive: true });
  // The file names its map by the name esbuild gave it; written under the bundle's own name.
  writeAtomically(`${file}.map`, map);
  writeAtomically(
    file,
    code.replace(/sourceMappingURL=runtime\.cjs\.map\s*$/, `sourceMappingURL=${name}.map\n`),
  );

  // An input changed while the bundle was built (its mtime is that recent) may be in it as it was before:
  // without a manifest, the next start builds again.
  const inputs: Manifest['inputs'] = {};
  let settled = true;
  const files = Object.keys(result.metafile.inputs).filter((path) => !path.startsWith('on-first-use:'));
  for (const path of [...files, ...EXTRA_INPUTS]) {
    const stat = statSync(join(REPO_ROOT, path));
    if (stat.mtimeMs >= startedAt - 2_000) settled = false;
    inputs[path] = [stat.mtimeMs, stat.size];
  }
  if (settled) {
    const manifest: Manifest = { key: cacheKey(), bundle: name, inputs };
    writeAtomically(join(cacheDir, 'manifest.json'), JSON.stringify(manifest));
  }
  removeOldFiles(cacheDir, name);
  return { file, settled };
}

/** What the bundle was built by and for (esbuild's version from its package.json: importing it is slow). */
function cacheKey(): string {
  const esbuildPackage = join(REPO_ROOT, 'node_modules/esbuild/package.json');
  const { version } = JSON.parse(readFileSync(esbuildPackage, 'utf8')) as { version: string };
  return `${process.version} esbuild ${version}`;
}

/** The cached bundle, if every input is as it was when it was built. */
function freshBundle(cacheDir: string): { file: string; code: string } | undefined {
  try {
    const manifest = JSON.parse(readFileSync(join(cacheDir, 'manifest.json'), 'utf8')) as Manifest;
    if (manifest.key !== cacheKey()) return undefined;
    for (const [path, [mtimeMs, size]] of Object.entries(manifest.inputs)) {
      const stat = statSync(join(REPO_ROOT, path));
      if (stat.mtimeMs !== mtimeMs || stat.size !== size) return undefined;
    }
    const file = join(cacheDir, manifest.bundle);
    return { file, code: readFileSync(file, 'utf8') };
  } catch {
    return undefined; // no bundle yet, an input gone, or a bundle removed: stale
  }
}

/**
 * Builds in a process of its own, at the lowest priority so that it does not slow this start, which does
 * not wait for it. It may outlive this process: it ends once the bundle is written. One build at a time.
 */
function buildInBackground(cacheDir: string): void {
  const lock = join(cacheDir, 'building');
  try {
    mkdirSync(cacheDir, { recursive: true });
    if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs < BUILDING_FOR_MS) return;
    writeFileSync(lock, String(process.pid));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), '--build', cacheDir],
      { cwd: REPO_ROOT, detached: true, stdio: 'ignore', env: process.env },
    );
    child.on('error', () => rmSync(lock, { force: true }));
    if (child.pid !== undefined) setPriority(child.pid, 19);
    child.unref();
  } catch {
    // no build this time: the next start tries again
  }
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
        const out = await transform(source, {
          loader: /\.[cm]?ts$/.test(args.path) ? 'ts' : 'js',
          format: 'esm',
          target: 'esnext',
          sourcefile: args.path,
          sourcemap: 'inline', // the bundle's map goes on through this step to the source
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
 * `require(<package>)` from `importer` gives a stand-in that requires the package on the first access to
 * one of its properties (`simpleParser`, `createTransport`, ...); the package is still in the bundle.
 */
function loadedOnFirstUse(lazy: typeof LOADED_ON_FIRST_USE): Plugin {
  const names = new RegExp(`^(${lazy.packages.join('|')})$`);
  return {
    name: 'loaded-on-first-use',
    setup(build) {
      build.onResolve({ filter: names }, (args) =>
        lazy.importer.test(args.importer) && args.kind === 'require-call'
          ? { path: args.path, namespace: 'on-first-use', pluginData: { resolveDir: args.resolveDir } }
          : undefined,
      );
      build.onLoad({ filter: /.*/, namespace: 'on-first-use' }, (args) => ({
        // The require in here comes from this namespace, so it resolves to the package itself.
        contents: `let real;
const load = () => (real ??= require(${JSON.stringify(args.path)}));
module.exports = new Proxy({}, {
  get: (_, key) => (key === '__esModule' ? undefined : Reflect.get(load(), key)),
  has: (_, key) => Reflect.has(load(), key),
  ownKeys: () => Reflect.ownKeys(load()),
  getOwnPropertyDescriptor: (_, key) => {
    const d = Reflect.getOwnPropertyDescriptor(load(), key);
    return d && { ...d, configurable: true };
  },
});`,
        loader: 'js',
        resolveDir: (args.pluginData as { resolveDir: string }).resolveDir,
      }));
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

function readOr(file: string, fallback: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return fallback;
  }
}

/** Older bundles, once no start can still be loading them. */
function removeOldFiles(cacheDir: string, keep: string): void {
  for (const name of readdirSync(cacheDir)) {
    if (!name.startsWith('runtime-') || name.startsWith(keep)) continue;
    const path = join(cacheDir, name);
    try {
      if (Date.now() - statSync(path).mtimeMs > STALE_AFTER_MS) rmSync(path, { force: true });
    } catch {
      // removed by another build meanwhile
    }
  }
}

// The background build (buildInBackground): `node --import tsx local/runtime-bundle.ts --build <dir>`.
if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === '--build') {
  const cacheDir = resolve(process.argv[3] ?? DEFAULT_CACHE_DIR);
  const errorFile = join(cacheDir, 'build-error.txt');
  try {
    await buildLocalRuntimeBundle(cacheDir);
    rmSync(errorFile, { force: true });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(errorFile, `${reason}\n`);
  } finally {
    rmSync(join(cacheDir, 'building'), { force: true });
  }
}
