import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { AslJson } from './asl-from-template';

/**
 * Validating the playbook's ASL takes the interpreter about a second, at every start of the local stack.
 * The interpreter for `definition`: validated (and remembered in `cacheDir` as valid), or, when `cacheDir`
 * already holds that definition for this interpreter version, built without validating it again.
 */
export function validatedInterpreter(definition: AslJson, cacheDir: string | undefined): StateMachine {
  const asl = definition as unknown as StateMachineDefinition;
  if (!cacheDir) return new StateMachine(asl);
  // Hashed as given, before the interpreter adds its defaults (`QueryLanguage`) to the object.
  const key = createHash('sha256')
    .update(`${interpreterVersion()}\n${JSON.stringify(definition)}`)
    .digest('hex')
    .slice(0, 32);
  const marker = join(cacheDir, `asl-valid-${key}`);
  if (existsSync(marker)) return new StateMachine(asl, { validationOptions: { noValidate: true } });
  const interpreter = new StateMachine(asl); // throws on an invalid definition: nothing is remembered
  try {
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(marker, '');
  } catch {
    // no cache: the next start validates again
  }
  return interpreter;
}

function interpreterVersion(): string {
  try {
    let dir = dirname(createRequire(import.meta.url).resolve('aws-local-stepfunctions'));
    for (let i = 0; i < 5; i++, dir = dirname(dir)) {
      const file = join(dir, 'package.json');
      if (!existsSync(file)) continue;
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'aws-local-stepfunctions') return String(pkg.version);
    }
  } catch {
    // unknown: the key still covers the definition
  }
  return 'unknown';
}
