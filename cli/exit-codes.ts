/** The `cosell` exit codes, as `cosell --help` and the README document them. */
export const ExitCode = {
  ok: 0,
  /** A runtime or API error: the request failed, the API answered 5xx or 403, a route is missing. */
  failure: 1,
  /** Invalid input or usage: an invalid plan file, an unknown option, a bad argument. */
  invalid: 2,
  /** The thing asked for does not exist (a plan id). */
  notFound: 3,
  /** The API could not be reached (nothing listening, DNS, timeout). */
  unreachable: 4,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export const EXIT_CODES_HELP = `Exit codes:
  0  ok
  1  runtime or API error (including a route the API does not have yet)
  2  invalid input or usage (an invalid plan file, a bad option)
  3  not found (no plan with that id; a --partner with no deals and no partner plan)
  4  cannot reach the API (is the local stack running? npm start)`;

/** One problem, as the API reports it and as the CLI prints it. */
export interface IssueLine {
  path: string;
  message: string;
}

/** A failure the CLI reports to the user and turns into an exit code; never a stack trace. */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly exitCode: ExitCodeValue;
  readonly issues: readonly IssueLine[];

  constructor(message: string, exitCode: ExitCodeValue, issues: readonly IssueLine[] = []) {
    super(message);
    this.exitCode = exitCode;
    this.issues = issues;
  }
}

/** The worst of several outcomes: any failure beats success; among failures, the first kind met wins. */
export function worstExitCode(codes: readonly ExitCodeValue[]): ExitCodeValue {
  return codes.find((code) => code !== ExitCode.ok) ?? ExitCode.ok;
}
