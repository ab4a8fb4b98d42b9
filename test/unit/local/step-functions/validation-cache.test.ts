import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { AslJson } from '../../../../local/step-functions/asl-from-template';
import { validatedInterpreter } from '../../../../local/step-functions/validation-cache';

const dirs: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'cosell-asl-cache-'));
  dirs.push(dir);
  return join(dir, 'cache');
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A fresh copy each time, as each start prepares its own (the interpreter adds its defaults to the object). */
const valid = (): AslJson => ({ StartAt: 'A', States: { A: { Type: 'Pass', End: true } } });

it('remembers a definition that passed validation, by its hash, and runs it the same either way', async () => {
  const dir = freshDir();
  const first = validatedInterpreter(valid(), dir);
  expect(readdirSync(dir)).toHaveLength(1);
  const second = validatedInterpreter(valid(), dir); // from the cache: not validated again
  expect(readdirSync(dir)).toHaveLength(1);
  expect(await first.run({ x: 1 }).result).toEqual({ x: 1 });
  expect(await second.run({ x: 1 }).result).toEqual({ x: 1 });
  validatedInterpreter({ ...valid(), Comment: 'changed' }, dir);
  expect(readdirSync(dir)).toHaveLength(2);
});

it('still refuses an invalid definition, and remembers nothing for it', () => {
  const dir = freshDir();
  const invalid = { StartAt: 'Missing', States: { A: { Type: 'Pass', End: true } } } as AslJson;
  expect(() => validatedInterpreter(invalid, dir)).toThrow();
  expect(() => validatedInterpreter(invalid, dir)).toThrow();
  expect(() => readdirSync(dir)).toThrow(); // never created
});
