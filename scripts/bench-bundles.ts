/**
 * Bundle budget: every handler within 1.25x of a bundle holding only the AWS SDK clients it uses.
 *
 *   npm run bench:bundles                  # print the table; exit 0 whatever the figures
 *   npm run bench:bundles -- --check       # exit 1 when any handler is over 1.25x by size, or one of
 *                                          # OVER_BUDGET over its cap or back within 1.25x (npm test runs
 *                                          # it as bench:budget, with --runs 0: sizes only, a few seconds)
 *   options: --runs N (cold imports per bundle, default 5; 0 = sizes only), --only a,b (handler names),
 *            --keep (keep bundles), --source-maps (also time each handler built with its map and run with
 *            NODE_OPTIONS=--enable-source-maps: the cost of turning maps on)
 *   exit 2 when a bundle cannot be built or imported (that is a broken build, not a benchmark figure)
 *
 * Each handler is bundled with esbuild's JS API and the options of lib/constructs/cosell-function.ts
 * (bundle, minify, platform node, ESM, mainFields module,main, the createRequire banner, no externals).
 * One difference, for measuring locally: the target is the local Node major (the construct says node24;
 * esbuild's target only changes syntax lowering). The construct's LAZY_MODULES stay external (shipped beside
 * the bundle, imported on some requests only) and the construct's NODE_OPTIONS (FUNCTION_NODE_OPTIONS) are
 * set for every cold import of a handler, so the import is timed as deployed. The size measured is the .mjs
 * alone (index.mjs.map is never read unless NODE_OPTIONS has --enable-source-maps).
 *
 * The baseline of a handler is generated from its own metafile: the @aws-sdk/client-* and
 * @aws-sdk/lib-dynamodb packages in its output, their client classes and the commands it sends. The
 * baseline constructs each client once at module load (as the handlers' composition root does) and
 * exports the commands, so nothing is tree-shaken away.
 *
 * Cold import time: the median over N fresh `node` processes, each timing `await import(bundle)` with
 * performance.now(). After one discarded warm-up per bundle (file cache), each round imports a handler and
 * its baseline back to back, alternating which goes first, so both see the same machine load. Sizes are
 * exact; import times on a shared or busy machine are not: use more --runs before trusting a 1.2x-1.3x.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { FUNCTION_NODE_OPTIONS, LAZY_MODULES } from '../lib/constructs/cosell-function';

export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
export const HANDLERS_DIR = join(REPO_ROOT, 'lambdas', 'handlers');
export const BUDGET = 1.25;

/**
 * The handlers over BUDGET today, each held to a cap just above the ratio last measured: a ratchet, so they
 * may not grow while they are over, and the check fails once one is back within BUDGET (remove its entry).
 * Why each is over, and what would bring it back: README, "Performance".
 */
export const OVER_BUDGET: Readonly<Record<string, { cap: number; why: string }>> = {
  'plans-api': {
    cap: 1.285,
    why: 'plan validation (zod/mini and the plan schemas, about 41 KB) beside the amendments and the closed-deal totals',
  },
  'action-link': {
    cap: 1.262,
    why: 'the link pages and every action of a click, with the closed-deal totals its final click writes',
  },
};

/** What the check says of one handler's size ratio: within budget, held to its cap, or failing (and why). */
export function budgetVerdict(
  name: string,
  sizeRatio: number,
  over: Readonly<Record<string, { cap: number }>> = OVER_BUDGET,
): { ok: boolean; label: string; failure?: string } {
  const known = over[name];
  if (!known) {
    return sizeRatio > BUDGET
      ? { ok: false, label: 'NO: size', failure: `${name} (size ${sizeRatio.toFixed(3)}x)` }
      : { ok: true, label: 'yes' };
  }
  if (sizeRatio <= BUDGET)
    return {
      ok: false,
      label: 'yes (remove its OVER_BUDGET entry)',
      failure: `${name} (within ${BUDGET}x now, ${sizeRatio.toFixed(3)}x: remove it from OVER_BUDGET)`,
    };
  return sizeRatio > known.cap
    ? {
        ok: false,
        label: `NO: size, over its cap ${known.cap}x`,
        failure: `${name} (size ${sizeRatio.toFixed(3)}x, over its OVER_BUDGET cap ${known.cap}x)`,
      }
    : { ok: true, label: `NO: size, held <= ${known.cap}x` };
}

/** Same banner as the construct: ESM bundles still meet CommonJS dependencies that call require(). */
export const BANNER =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/** The construct targets node24 (the Lambda runtime); locally we target the Node that runs the bundles. */
export const LOCAL_TARGET = `node${process.versions.node.split('.')[0]}`;

/** Environment every handler may read at module load (docs/design.md). Nothing here reaches AWS. */
export const BENCH_ENV: Record<string, string> = {
  TENANT: 'bench',
  PLANS_TABLE: 'bench-plans',
  MILESTONES_TABLE: 'bench-milestones',
  LINKS_TABLE: 'bench-links',
  IDEMPOTENCY_TABLE: 'bench-idempotency',
  PARTNER_PLANS_TABLE: 'bench-partner-plans',
  SENDER_ADDRESS: 'deals@links.example',
  SES_CONFIGURATION_SET: 'bench',
  PUBLIC_BASE_URL: 'https://links.example',
  DEFAULT_TIMEZONE: 'UTC',
  EVENT_BUS_NAME: 'bench',
  STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:111111111111:stateMachine:bench',
  LINK_KEYS_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:bench',
  LINK_TTL_DAYS: '14',
  POWERTOOLS_SERVICE_NAME: 'cosell-flow',
  POWERTOOLS_LOG_LEVEL: 'INFO',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDBENCH',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_EC2_METADATA_DISABLED: 'true',
};

/** esbuild options of CosellFunction's `bundling` block (keep in step with lib/constructs/cosell-function.ts). */
export function bundleOptions(
  outfile: string,
  { external = [], sourcemap = false }: { external?: readonly string[]; sourcemap?: boolean } = {},
): BuildOptions {
  return {
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'esm',
    target: LOCAL_TARGET,
    mainFields: ['module', 'main'],
    banner: { js: BANNER },
    external: [...external],
    sourcemap: sourcemap ? 'linked' : false,
    metafile: true,
    outfile,
    absWorkingDir: REPO_ROOT,
    logLevel: 'warning',
  };
}

// ---------------------------------------------------------------- what a bundle holds

/** An input file of one output, with the bytes it contributes to the minified output. */
export interface OutputInput {
  path: string;
  bytes: number;
}

export function outputInputs(metafile: Metafile): OutputInput[] {
  const output = Object.entries(metafile.outputs).find(([file]) => !file.endsWith('.map'))?.[1];
  if (!output) throw new Error('esbuild wrote no output');
  return Object.entries(output.inputs)
    .map(([path, { bytesInOutput }]) => ({ path, bytes: bytesInOutput }))
    .filter((i) => i.bytes > 0);
}

/** The package an input belongs to (the innermost node_modules), or undefined for our own code. */
export function packageOf(path: string): string | undefined {
  const at = path.lastIndexOf('node_modules/');
  if (at < 0) return undefined;
  const [first, second] = path.slice(at + 'node_modules/'.length).split('/');
  return first?.startsWith('@') ? `${first}/${second}` : first;
}

const SDK_CLIENT_PACKAGE = /^@aws-sdk\/(client-[a-z0-9-]+|lib-dynamodb)$/;
/** Packages that make up the AWS SDK itself (clients, core, middleware, credential providers, crypto). */
const SDK_SCOPES = ['@aws-sdk/', '@smithy/', '@aws-crypto/'];

export interface SdkUse {
  /** `@aws-sdk/client-*` and `@aws-sdk/lib-dynamodb` packages in the output. */
  packages: string[];
  /** Per package: the client classes (`dist-es/<Name>Client.js`) and commands (`commands/<Name>.js`). */
  exports: Record<string, { clients: string[]; commands: string[] }>;
}

export function sdkUse(inputs: OutputInput[]): SdkUse {
  const exports: SdkUse['exports'] = {};
  for (const { path } of inputs) {
    const pkg = packageOf(path);
    if (!pkg || !SDK_CLIENT_PACKAGE.test(pkg)) continue;
    exports[pkg] ??= { clients: [], commands: [] };
    const entry = exports[pkg];
    const inside = path.slice(path.lastIndexOf(`${pkg}/`) + pkg.length + 1);
    const client = /^dist-es\/(\w+Client)\.js$/.exec(inside)?.[1];
    const command = /^dist-es\/commands\/(\w+Command)\.js$/.exec(inside)?.[1];
    if (client && !entry.clients.includes(client)) entry.clients.push(client);
    if (command && !entry.commands.includes(command)) entry.commands.push(command);
  }
  for (const entry of Object.values(exports)) {
    entry.clients.sort();
    entry.commands.sort();
  }
  return { packages: Object.keys(exports).sort(), exports };
}

/**
 * An entry that imports only these SDK clients and commands, constructs each client once (lib-dynamodb's
 * document client wraps the DynamoDB client, as our adapter does) and exports everything it imported.
 */
export function baselineSource(use: SdkUse): string {
  const lines: string[] = [];
  const exported: string[] = [];
  const constructed: string[] = [];
  // Aliased per package: lib-dynamodb and client-dynamodb both have a QueryCommand.
  const local = new Map<string, string>();
  for (const [p, pkg] of use.packages.entries()) {
    const { clients, commands } = use.exports[pkg] ?? { clients: [], commands: [] };
    const names = [...clients, ...commands];
    if (names.length === 0) continue;
    for (const name of names) local.set(`${pkg}:${name}`, `p${p}_${name}`);
    lines.push(`import { ${names.map((n) => `${n} as p${p}_${n}`).join(', ')} } from '${pkg}';`);
    exported.push(...names.map((n) => `p${p}_${n}`));
    for (const client of clients) {
      if (pkg === '@aws-sdk/lib-dynamodb' && client === 'DynamoDBDocumentClient') continue;
      constructed.push(`new p${p}_${client}({})`);
    }
  }
  const documentClient = local.get('@aws-sdk/lib-dynamodb:DynamoDBDocumentClient');
  if (documentClient) {
    const dynamoClient = local.get('@aws-sdk/client-dynamodb:DynamoDBClient');
    if (!dynamoClient) throw new Error('lib-dynamodb without client-dynamodb: cannot build its baseline');
    constructed.push(`${documentClient}.from(new ${dynamoClient}({}))`);
  }
  lines.push(`export const clients = [${constructed.join(', ')}];`);
  lines.push(`export const classes = [${exported.join(', ')}];`);
  return `${lines.join('\n')}\n`;
}

/** Inputs that are neither the SDK nor anything the SDK-only baseline also holds. */
export function nonSdkInputs(inputs: OutputInput[], baseline: ReadonlySet<string>): OutputInput[] {
  return inputs
    .filter((i) => !baseline.has(i.path) && !SDK_SCOPES.some((s) => packageOf(i.path)?.startsWith(s)))
    .sort((a, b) => b.bytes - a.bytes);
}

/** Non-SDK bytes per package; our own code (no node_modules) is `(our code)`. */
export function byPackage(inputs: OutputInput[]): { name: string; bytes: number }[] {
  const totals = new Map<string, number>();
  for (const i of inputs) {
    const name = packageOf(i.path) ?? '(our code)';
    totals.set(name, (totals.get(name) ?? 0) + i.bytes);
  }
  return [...totals].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
}

// ---------------------------------------------------------------- which handlers

const EXPORTS_HANDLER =
  /export\s+(?:const|let|var|(?:async\s+)?function)\s+handler\b|export\s*\{[^}]*\bhandler\b[^}]*\}/;

export function exportsHandler(source: string): boolean {
  return EXPORTS_HANDLER.test(source);
}

/** The deployed list (HANDLER_NAMES of the construct), checked against the files that export `handler`. */
async function handlerNames(): Promise<{ names: string[]; warnings: string[] }> {
  const byContent = readdirSync(HANDLERS_DIR)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .filter((f) => exportsHandler(readFileSync(join(HANDLERS_DIR, f), 'utf8')))
    .map((f) => f.slice(0, -'.ts'.length))
    .sort();
  const warnings: string[] = [];
  let deployed: readonly string[];
  try {
    ({ HANDLER_NAMES: deployed } = await import('../lib/constructs/cosell-function'));
  } catch (error) {
    warnings.push(`could not read HANDLER_NAMES from the construct (${(error as Error).message})`);
    return { names: byContent, warnings };
  }
  for (const f of byContent) {
    if (!deployed.includes(f)) warnings.push(`lambdas/handlers/${f}.ts exports handler but is not deployed`);
  }
  for (const n of deployed) {
    if (!byContent.includes(n)) warnings.push(`HANDLER_NAMES has ${n}, whose file exports no handler`);
  }
  return { names: [...deployed], warnings };
}

// ---------------------------------------------------------------- cold import

/** Child program: note any network use, time `await import(bundle)`, print JSON. */
const CHILD = `
import net from 'node:net';
import dns from 'node:dns';
import { pathToFileURL } from 'node:url';
const network = [];
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) { network.push('connect'); return connect.apply(this, args); };
const lookup = dns.lookup;
dns.lookup = function (host, ...rest) { network.push('lookup ' + host); return lookup.call(this, host, ...rest); };
const url = pathToFileURL(process.env.BENCH_BUNDLE).href;
const t0 = performance.now();
await import(url);
const ms = performance.now() - t0;
await new Promise((resolve) => setTimeout(resolve, 25));
process.stdout.write(JSON.stringify({ ms, network }));
process.exit(0);
`;

export interface ImportRun {
  ms: number;
  network: string[];
}

function coldImport(file: string, home: string, nodeOptions = ''): Promise<ImportRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], {
      cwd: home,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: home,
        AWS_CONFIG_FILE: join(home, 'no-aws-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-aws-credentials'),
        ...BENCH_ENV,
        ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
        BENCH_BUNDLE: file,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`importing ${file} failed (exit ${code}):\n${err.trim()}`));
      try {
        // Handlers log with Powertools at load only on errors; the last line is ours.
        const last = out.trim().split('\n').at(-1) ?? '';
        resolve(JSON.parse(last.slice(last.indexOf('{"ms"'))) as ImportRun);
      } catch {
        reject(new Error(`importing ${file} printed no timing:\n${out}\n${err}`));
      }
    });
  });
}

export function median(values: number[]): number {
  if (values.length === 0) throw new RangeError('median of nothing');
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

// ---------------------------------------------------------------- main

interface Options {
  check: boolean;
  runs: number;
  only?: string[];
  keep: boolean;
  sourceMaps?: boolean;
  /** How many of the largest non-SDK inputs to list per handler. */
  top: number;
}

export function parseArgs(argv: string[]): Options {
  const options: Options = { check: false, runs: 5, keep: false, top: 5 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--check') options.check = true;
    else if (arg === '--keep') options.keep = true;
    else if (arg === '--source-maps') options.sourceMaps = true;
    else if (arg === '--runs') options.runs = Number(argv[++i]);
    else if (arg === '--top') options.top = Number(argv[++i]);
    else if (arg === '--only') options.only = (argv[++i] ?? '').split(',').filter(Boolean);
    else
      throw new Error(
        `unknown argument ${arg} (use --check, --runs N, --only a,b, --top N, --keep, --source-maps)`,
      );
  }
  if (!Number.isInteger(options.runs) || options.runs < 0)
    throw new Error('--runs takes a whole number >= 0');
  if (!Number.isInteger(options.top) || options.top < 0) throw new Error('--top takes a whole number >= 0');
  return options;
}

interface Bundle {
  file: string;
  size: number;
  inputs: OutputInput[];
}

async function bundle(
  outfile: string,
  entry: { file: string } | { source: string; name: string },
  extra: Parameters<typeof bundleOptions>[1] = {},
) {
  const options = bundleOptions(outfile, extra);
  const result = await build(
    'file' in entry
      ? { ...options, entryPoints: [entry.file] }
      : { ...options, stdin: { contents: entry.source, resolveDir: REPO_ROOT, sourcefile: entry.name } },
  );
  if (!result.metafile) throw new Error('esbuild returned no metafile');
  return {
    file: outfile,
    size: statSync(outfile).size,
    inputs: outputInputs(result.metafile),
  } satisfies Bundle;
}

const kb = (bytes: number) => (bytes / 1024).toFixed(1);
const ratio = (a: number, b: number) => (b > 0 ? a / b : Number.POSITIVE_INFINITY);

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  const line = (r: string[]) => `| ${r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join(' | ')} |`;
  const [head, ...body] = rows;
  return [line(head ?? []), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join(
    '\n',
  );
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  const { names: all, warnings } = await handlerNames();
  const names = options.only ? all.filter((n) => options.only?.includes(n)) : all;
  for (const w of warnings) console.warn(`warning: ${w}`);
  if (names.length === 0) throw new Error('no handlers to measure');

  const dir = mkdtempSync(join(tmpdir(), 'cosell-bench-bundles-'));
  const home = mkdtempSync(join(tmpdir(), 'cosell-bench-home-'));
  try {
    console.log(
      `esbuild: bundle, minify, platform node, esm, mainFields module,main, createRequire banner, externals: ` +
        `the construct's LAZY_MODULES only; target ${LOCAL_TARGET} (construct: node24; local Node ${process.version})`,
    );
    console.log(
      options.runs === 0
        ? 'sizes only (--runs 0): no cold import timed'
        : `cold import: median of ${options.runs} fresh node processes per bundle, handlers with the construct's ` +
            `NODE_OPTIONS (${JSON.stringify(FUNCTION_NODE_OPTIONS)}); bundles in ${dir}`,
    );
    const [load = 0] = loadavg();
    if (load > availableParallelism() / 2) {
      console.log(
        `warning: load average ${load.toFixed(1)} on ${availableParallelism()} CPUs: import times are noisy`,
      );
    }
    console.log('');

    // Build every handler, then one baseline per distinct set of SDK clients and commands.
    const handlers = await Promise.all(
      names.map(async (name) => {
        const lazy = LAZY_MODULES[name as keyof typeof LAZY_MODULES] ?? [];
        const entry = { file: join(HANDLERS_DIR, `${name}.ts`) };
        const b = await bundle(join(dir, `${name}.mjs`), entry, { external: lazy });
        const mapped = options.sourceMaps
          ? await bundle(join(dir, 'maps', `${name}.mjs`), entry, { external: lazy, sourcemap: true })
          : undefined;
        const use = sdkUse(b.inputs);
        return {
          name,
          lazy,
          bundle: b,
          mapped,
          mapRuns: [] as ImportRun[],
          use,
          source: baselineSource(use),
          runs: [] as ImportRun[],
          baseRuns: [] as ImportRun[],
        };
      }),
    );
    const sources = [...new Map(handlers.map((h) => [h.source, h.name])).entries()];
    const baselineOf = new Map(
      await Promise.all(
        sources.map(
          async ([source, name], i) =>
            [
              source,
              await bundle(join(dir, `baseline-${i}.mjs`), { source, name: `baseline-${name}.mjs` }),
            ] as const,
        ),
      ),
    );

    // One discarded warm-up per bundle (file cache), then handler and baseline back to back, in turn first.
    const deployed = FUNCTION_NODE_OPTIONS;
    const withMaps = `${deployed} --enable-source-maps`.trim();
    if (options.runs > 0) {
      for (const b of [...handlers.map((h) => h.bundle), ...baselineOf.values()])
        await coldImport(b.file, home, deployed);
    }
    for (let r = 0; r < options.runs; r++) {
      for (const h of handlers) {
        const base = (baselineOf.get(h.source) as Bundle).file;
        if (r % 2 === 0) {
          h.runs.push(await coldImport(h.bundle.file, home, deployed));
          h.baseRuns.push(await coldImport(base, home));
        } else {
          h.baseRuns.push(await coldImport(base, home));
          h.runs.push(await coldImport(h.bundle.file, home, deployed));
        }
        if (h.mapped) h.mapRuns.push(await coldImport(h.mapped.file, home, withMaps));
      }
    }
    const timed = options.runs > 0;
    const fmt = (runs: ImportRun[]) => (timed ? median(runs.map((r) => r.ms)).toFixed(1) : '-');

    const rows: string[][] = [
      ['handler', 'size KB', 'baseline KB', 'ratio', 'import ms', 'baseline ms', 'ratio', 'within 1.25x?'],
    ];
    const over: string[] = [];
    const held: string[] = [];
    const details: string[] = [];
    const mapNotes: string[] = [];
    for (const h of handlers) {
      const base = baselineOf.get(h.source) as Bundle;
      const ms = timed ? median(h.runs.map((r) => r.ms)) : Number.NaN;
      const baseMs = timed ? median(h.baseRuns.map((r) => r.ms)) : Number.NaN;
      const minMs = Math.min(...h.runs.map((r) => r.ms));
      const baseMinMs = Math.min(...h.baseRuns.map((r) => r.ms));
      const sizeRatio = ratio(h.bundle.size, base.size);
      const timeRatio = ratio(ms, baseMs);
      // Sizes are exact and fail the check; import times on a shared machine are not, so they only print.
      const verdict = budgetVerdict(h.name, sizeRatio);
      if (verdict.failure) over.push(verdict.failure);
      if (OVER_BUDGET[h.name] && verdict.ok) held.push(`${h.name} ${sizeRatio.toFixed(3)}x`);
      // A lazy module must stay out of the bundle and out of its static imports (or it loads at cold start).
      const text = readFileSync(h.bundle.file, 'utf8');
      for (const m of h.lazy) {
        const escaped = m.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        if (new RegExp(`(?:from|import)\\s*["']${escaped}["']`).test(text))
          over.push(`${h.name} (imports lazy module ${m} statically)`);
        if (h.bundle.inputs.some((i) => packageOf(i.path) === m)) over.push(`${h.name} (bundles lazy ${m})`);
      }
      if (h.mapped) {
        mapNotes.push(
          `${h.name}: --enable-source-maps with a ${kb(statSync(`${h.mapped.file}.map`).size)} KB map: ` +
            `median ${fmt(h.mapRuns)} ms vs ${fmt(h.runs)} ms without (${ratio(median(h.mapRuns.map((r) => r.ms)), ms).toFixed(3)}x; ` +
            `${ratio(median(h.mapRuns.map((r) => r.ms)), baseMs).toFixed(3)}x the baseline)`,
        );
      }
      rows.push([
        h.name,
        kb(h.bundle.size),
        kb(base.size),
        `${sizeRatio.toFixed(3)}x`,
        timed ? ms.toFixed(1) : '-',
        timed ? baseMs.toFixed(1) : '-',
        timed ? `${timeRatio.toFixed(3)}x` : '-',
        // Import times on a shared machine are noisy: they are shown, never checked.
        timed && timeRatio > BUDGET ? `${verdict.label}; import over` : verdict.label,
      ]);

      const baseInputs = new Set(base.inputs.map((i) => i.path));
      const extra = nonSdkInputs(h.bundle.inputs, baseInputs);
      const extraBytes = extra.reduce((n, i) => n + i.bytes, 0);
      const sdkBeyond = h.bundle.inputs
        .filter((i) => !baseInputs.has(i.path) && SDK_SCOPES.some((s) => packageOf(i.path)?.startsWith(s)))
        .reduce((n, i) => n + i.bytes, 0);
      const network = [...h.runs, ...h.baseRuns].flatMap((r) => r.network);
      const sdk = h.use.packages
        .map((p) => {
          const e = h.use.exports[p];
          return `${p.replace('@aws-sdk/', '')} [${[...(e?.clients ?? []), ...(e?.commands ?? [])].join(', ')}]`;
        })
        .join('; ');
      details.push(
        [
          `${h.name}: SDK ${sdk || '(none)'}`,
          ...(timed
            ? [
                `  cold import ms (handler / baseline): median ${ms.toFixed(1)} / ${baseMs.toFixed(1)}, fastest ${minMs.toFixed(1)} / ${baseMinMs.toFixed(1)} (${ratio(minMs, baseMinMs).toFixed(3)}x)`,
              ]
            : []),
          ...(h.lazy.length
            ? [
                `  lazy (shipped beside the bundle, imported on demand): ${h.lazy.join(', ')}${
                  timed ? '' : ''
                }`,
              ]
            : []),
          `  non-SDK ${kb(extraBytes)} KB (SDK code beyond the baseline: ${kb(sdkBeyond)} KB): ${
            byPackage(extra)
              .slice(0, 5)
              .map((p) => `${p.name} ${kb(p.bytes)}`)
              .join(', ') || '-'
          }`,
          ...extra.slice(0, options.top).map((i) => `    ${kb(i.bytes).padStart(6)} KB  ${i.path}`),
          ...(network.length
            ? [`  WARNING: network use during import: ${[...new Set(network)].join(', ')}`]
            : []),
        ].join('\n'),
      );
    }

    console.log(table(rows));
    if (mapNotes.length) console.log(`\nSource maps (--source-maps):\n${mapNotes.join('\n')}`);
    console.log(
      '\nTop non-SDK inputs by bytes in the output (SDK = @aws-sdk, @smithy, @aws-crypto or in the baseline):',
    );
    console.log(details.join('\n'));
    const slow = rows.slice(1).filter((r) => r.at(-1)?.includes('import')).length;
    const within = handlers.length - held.length - over.length;
    console.log(
      over.length
        ? `\n${over.length} budget failures (of ${handlers.length} handlers, ${BUDGET}x their SDK-only baseline by size, or an OVER_BUDGET cap): ${over.join(', ')}`
        : `\n${within} of ${handlers.length} handlers within ${BUDGET}x of their SDK-only baseline by size` +
            (held.length ? `; over it, held to their OVER_BUDGET caps: ${held.join(', ')}.` : '.') +
            (timed
              ? ` Cold import over ${BUDGET}x (noisy, not checked): ${slow} of ${handlers.length}.`
              : ''),
    );
    return options.check && over.length > 0 ? 1 : 0;
  } finally {
    if (!options.keep) rmSync(dir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 2;
    },
  );
}
