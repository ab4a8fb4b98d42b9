#!/usr/bin/env -S node --import tsx
/**
 * `cosell`: the command line for partnerships ops (plans, reports, tenant settings), against the local
 * stack or a deployed tenant. Everything is in `cli/`; this entry only wires it to the process.
 */
import { processIo } from '../cli/io';
import { runCli } from '../cli/program';

process.exitCode = await runCli(process.argv.slice(2), {
  io: processIo(),
  env: process.env,
  cwd: process.cwd(),
});
