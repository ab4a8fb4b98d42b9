import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LAZY_MODULES } from '../../../lib/constructs/cosell-function';
import {
  BANNER,
  BUDGET,
  baselineSource,
  budgetVerdict,
  bundleOptions,
  exportsHandler,
  median,
  nonSdkInputs,
  OVER_BUDGET,
  packageOf,
  parseArgs,
  REPO_ROOT,
  sdkUse,
} from '../../../scripts/bench-bundles';

describe('bench-bundles', () => {
  it('bundles with the esbuild options of the CosellFunction construct', () => {
    // Prepare
    const construct = readFileSync(join(REPO_ROOT, 'lib/constructs/cosell-function.ts'), 'utf8');

    // Act
    const options = bundleOptions('/tmp/x.mjs');

    // Assess: the settings that shape the output, as the construct states them.
    expect(construct).toContain(`banner: ${JSON.stringify(BANNER)}`);
    expect(construct).toContain("mainFields: ['module', 'main']");
    expect(construct).toContain('format: OutputFormat.ESM');
    expect(construct).toContain('minify: true');
    expect(construct).toContain('externalModules: [...lazy]');
    expect(LAZY_MODULES).toEqual({ 'plans-api': ['js-yaml'] });
    expect(bundleOptions('/tmp/x.mjs', { external: ['js-yaml'] }).external).toEqual(['js-yaml']);
    expect(bundleOptions('/tmp/x.mjs', { sourcemap: true }).sourcemap).toBe('linked');
    expect(options).toMatchObject({
      bundle: true,
      minify: true,
      platform: 'node',
      format: 'esm',
      mainFields: ['module', 'main'],
      banner: { js: BANNER },
      external: [],
      sourcemap: false,
    });
  });

  it('finds the SDK clients and commands a bundle holds, and builds a baseline of exactly those', () => {
    // Prepare
    const inputs = [
      'node_modules/@aws-sdk/client-dynamodb/dist-es/DynamoDBClient.js',
      'node_modules/@aws-sdk/client-dynamodb/dist-es/commands/QueryCommand.js',
      'node_modules/@aws-sdk/lib-dynamodb/dist-es/DynamoDBDocumentClient.js',
      'node_modules/@aws-sdk/lib-dynamodb/dist-es/commands/QueryCommand.js',
      'node_modules/@aws-sdk/client-ses/dist-es/SESClient.js',
      'node_modules/@aws-sdk/client-ses/dist-es/commands/SendEmailCommand.js',
      'node_modules/@smithy/smithy-client/dist-es/client.js',
      'node_modules/zod/v4/core/schemas.js',
      'lambdas/handlers/gate-open.ts',
    ].map((path) => ({ path, bytes: 100 }));

    // Act
    const use = sdkUse(inputs);
    const source = baselineSource(use);

    // Assess
    expect(use.packages).toEqual([
      '@aws-sdk/client-dynamodb',
      '@aws-sdk/client-ses',
      '@aws-sdk/lib-dynamodb',
    ]);
    expect(use.exports['@aws-sdk/lib-dynamodb']).toEqual({
      clients: ['DynamoDBDocumentClient'],
      commands: ['QueryCommand'],
    });
    expect(source).toContain(
      'import { DynamoDBClient as p0_DynamoDBClient, QueryCommand as p0_QueryCommand }',
    );
    expect(source).toContain('p2_DynamoDBDocumentClient.from(new p0_DynamoDBClient({}))');
    expect(source).toContain('new p1_SESClient({})');
    expect(nonSdkInputs(inputs, new Set()).map((i) => i.path)).toEqual([
      'node_modules/zod/v4/core/schemas.js',
      'lambdas/handlers/gate-open.ts',
    ]);
  });

  it('names packages, detects handler modules, takes medians and reads its arguments', () => {
    expect(packageOf('node_modules/a/node_modules/@aws-sdk/core/dist-es/x.js')).toBe('@aws-sdk/core');
    expect(packageOf('node_modules/js-yaml/dist/js-yaml.mjs')).toBe('js-yaml');
    expect(packageOf('lambdas/domain/links.ts')).toBeUndefined();
    expect(exportsHandler('export const handler = async () => {};')).toBe(true);
    expect(exportsHandler('export async function handler() {}')).toBe(true);
    expect(exportsHandler('export function json() {}')).toBe(false);
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(parseArgs(['--check', '--runs', '9', '--only', 'gate-open'])).toEqual({
      check: true,
      runs: 9,
      keep: false,
      top: 5,
      only: ['gate-open'],
    });
    expect(parseArgs(['--check', '--runs', '0']).runs).toBe(0);
    expect(parseArgs(['--top', '40']).top).toBe(40);
    expect(() => parseArgs(['--top', 'all'])).toThrow();
    expect(parseArgs(['--source-maps']).sourceMaps).toBe(true);
    expect(() => parseArgs(['--runs', '-1'])).toThrow();
  });

  it('fails a handler over 1.25x, holds a known one to its cap, and fails it once it is back within budget', () => {
    const over = { big: { cap: 1.3 } };
    expect(budgetVerdict('small', 1.25, over)).toMatchObject({ ok: true, label: 'yes' });
    expect(budgetVerdict('small', 1.251, over)).toMatchObject({ ok: false, failure: 'small (size 1.251x)' });
    expect(budgetVerdict('big', 1.29, over)).toMatchObject({ ok: true, label: 'NO: size, held <= 1.3x' });
    expect(budgetVerdict('big', 1.301, over).failure).toMatch(/over its OVER_BUDGET cap 1.3x/);
    expect(budgetVerdict('big', 1.2, over).failure).toMatch(/within 1.25x now.*remove it from OVER_BUDGET/);
    // Every cap is above the budget (an entry at or under it could never hold anything).
    for (const { cap } of Object.values(OVER_BUDGET)) expect(cap).toBeGreaterThan(BUDGET);
  });
});
