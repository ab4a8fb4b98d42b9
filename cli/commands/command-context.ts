import type { Command } from 'commander';
import { ApiClient, type ApiClientDeps, readLocalEndpoint, resolveTarget } from '../api-client';
import type { ExitCodeValue } from '../exit-codes';
import type { CliIo } from '../io';
import type { PartnerPlanValidator } from '../plan-files';

export interface CliDeps extends ApiClientDeps {
  io: CliIo;
  env: Record<string, string | undefined>;
  /** The current directory (tenant init's default `--dir`). */
  cwd?: string;
  /** Finds the partner plan schema (tests replace it). */
  partnerPlan?: () => Promise<PartnerPlanValidator | undefined>;
}

/** What every command's action is given: where to write, how to reach the API, how to set the exit code. */
export interface CommandContext {
  deps: CliDeps;
  io: CliIo;
  /** Writes `text` to stdout, ending it with a newline. */
  out: (text: string) => void;
  /** Each action sets its exit code once; failures throw `CliError` instead. */
  setExit: (code: ExitCodeValue) => void;
  /** The API client for this run's `--endpoint`, `--region` and `--profile`. */
  client: (command: Command) => ApiClient;
}

export function commandContext(deps: CliDeps, setExit: (code: ExitCodeValue) => void): CommandContext {
  const { io } = deps;
  return {
    deps,
    io,
    out: (text) => io.stdout(text.endsWith('\n') ? text : `${text}\n`),
    setExit,
    client: (command) => {
      const options = command.optsWithGlobals() as { endpoint?: string; region?: string; profile?: string };
      // A local stack that PORT moved says where it listens (`.cosell/endpoint`, written by `npm start`).
      const localEndpoint = deps.cwd ? readLocalEndpoint(deps.cwd, deps.env) : undefined;
      return new ApiClient(
        resolveTarget({ ...options, env: deps.env, ...(localEndpoint ? { localEndpoint } : {}) }),
        deps,
      );
    },
  };
}

/** Pretty JSON with a final newline, as every `--json` prints it. */
export const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** Reading plan files pulls in zod, the plan schema and both YAML parsers: only the commands that read files
 * load them, so `--help`, `plan list`, `plan show` and `report` start sooner. */
export const planFiles = () => import('../plan-files');

/** Placing the API's problems in a file needs the `yaml` parser: loaded when there are problems to place. */
export const sourcePositions = () => import('../source-positions');
