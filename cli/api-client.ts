import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AwsCredentialIdentity } from '@smithy/types';
import { CliError, ExitCode, type IssueLine } from './exit-codes';
import { defaultCredentials, signRequest } from './sigv4-signer';

/**
 * The CLI's client of the Cosell Flow HTTP API. Requests to a deployed tenant are SigV4-signed (the /plans
 * routes are IAM-authorized); requests to the local stack are not. Failures become `CliError`s with the
 * documented exit codes and the API's `{error, issues}` kept for printing.
 */

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:3000';
const REQUEST_TIMEOUT_MS = 30_000;

export interface ApiTarget {
  endpoint: URL;
  /** Sign with SigV4 (any endpoint that is not this machine). */
  sign: boolean;
  region?: string;
  profile?: string;
}

export interface TargetOptions {
  endpoint?: string;
  region?: string;
  profile?: string;
  env: Record<string, string | undefined>;
  /** Where a running local stack said it listens (`.cosell/endpoint`, written by `npm start`). */
  localEndpoint?: string;
}

/**
 * The URL `npm start` wrote to `<state dir>/endpoint` (state dir `COSELL_STATE_DIR`, default `.cosell`
 * under `cwd`), so the CLI finds the local stack wherever `PORT` put it. Undefined when there is none.
 */
export function readLocalEndpoint(cwd: string, env: Record<string, string | undefined>): string | undefined {
  try {
    const file = join(resolve(cwd, env.COSELL_STATE_DIR ?? '.cosell'), 'endpoint');
    const text = readFileSync(file, 'utf8').trim();
    return /^http:\/\/(127\.0\.0\.1|localhost):\d+$/.test(text) ? text : undefined;
  } catch {
    return undefined;
  }
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLocalEndpoint(url: URL): boolean {
  return LOCAL_HOSTS.has(url.hostname) || url.hostname.endsWith('.localhost');
}

/**
 * `--endpoint`, else `COSELL_ENDPOINT`, else the running local stack (`.cosell/endpoint`), else `:3000`;
 * the region for signing likewise.
 */
export function resolveTarget(options: TargetOptions): ApiTarget {
  const raw = options.endpoint ?? options.env.COSELL_ENDPOINT ?? options.localEndpoint ?? DEFAULT_ENDPOINT;
  let endpoint: URL;
  try {
    endpoint = new URL(raw);
  } catch {
    throw new CliError(
      `invalid endpoint "${raw}": expected a URL such as ${DEFAULT_ENDPOINT}`,
      ExitCode.invalid,
    );
  }
  if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:') {
    throw new CliError(`invalid endpoint "${raw}": use http:// or https://`, ExitCode.invalid);
  }
  if (endpoint.search || endpoint.hash) {
    throw new CliError(`invalid endpoint "${raw}": no query or fragment`, ExitCode.invalid);
  }
  const sign = !isLocalEndpoint(endpoint);
  const region =
    options.region ??
    options.env.AWS_REGION ??
    options.env.AWS_DEFAULT_REGION ??
    /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com$/.exec(endpoint.hostname)?.[1];
  return {
    endpoint,
    sign,
    ...(region ? { region } : {}),
    ...((options.profile ?? options.env.AWS_PROFILE)
      ? { profile: options.profile ?? options.env.AWS_PROFILE }
      : {}),
  };
}

/** An HTTP error answer from the API, with its status and body kept for callers that treat one specially. */
export class ApiError extends CliError {
  readonly status: number;
  readonly body: unknown;

  constructor(
    message: string,
    exitCode: CliError['exitCode'],
    status: number,
    body: unknown,
    issues: IssueLine[],
  ) {
    super(message, exitCode, issues);
    this.status = status;
    this.body = body;
  }
}

export interface ApiResponse<T> {
  status: number;
  body: T;
}

export interface RequestOptions {
  body?: string;
  contentType?: string;
  query?: Record<string, string | undefined>;
}

export interface ApiClientDeps {
  fetch?: typeof fetch;
  /** Credentials for signing; the default provider chain when omitted. */
  credentials?: AwsCredentialIdentity | (() => Promise<AwsCredentialIdentity>);
  /** The signing clock (tests). */
  now?: () => Date;
}

function problemOf(body: unknown): { error?: string; issues: IssueLine[] } {
  if (typeof body !== 'object' || body === null) return { issues: [] };
  const { error, message, issues } = body as { error?: unknown; message?: unknown; issues?: unknown };
  const text = typeof error === 'string' ? error : typeof message === 'string' ? message : undefined;
  const lines = Array.isArray(issues)
    ? issues
        .filter((i): i is IssueLine => typeof i?.path === 'string' && typeof i?.message === 'string')
        .map(({ path, message: m }) => ({ path, message: m }))
    : [];
  return { ...(text ? { error: text } : {}), issues: lines };
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if ((error as Error).name === 'TimeoutError') return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

export class ApiClient {
  private readonly fetchFn: typeof fetch;

  constructor(
    readonly target: ApiTarget,
    private readonly deps: ApiClientDeps = {},
  ) {
    this.fetchFn = deps.fetch ?? fetch;
  }

  /** The URL of an API path under the endpoint (which may carry a base path, e.g. a stage). */
  url(path: string, query: RequestOptions['query'] = {}): URL {
    const url = new URL(this.target.endpoint.href);
    url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
    for (const [key, value] of Object.entries(query))
      if (value !== undefined) url.searchParams.set(key, value);
    return url;
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const url = this.url(path, options.query);
    let headers: Record<string, string> = { accept: 'application/json' };
    if (options.contentType) headers['content-type'] = options.contentType;
    if (this.target.sign) headers = await this.signed(method, url, headers, options.body);

    let response: Response;
    try {
      response = await this.fetchFn(url, {
        method,
        headers,
        ...(options.body !== undefined ? { body: options.body } : {}),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      const hint = isLocalEndpoint(this.target.endpoint)
        ? ' Is the local stack running (npm start)? Or pass --endpoint URL / set COSELL_ENDPOINT.'
        : ' Check --endpoint / COSELL_ENDPOINT and your network.';
      throw new CliError(
        `cannot reach the API at ${this.target.endpoint.origin} (${networkReason(error)}).${hint}`,
        ExitCode.unreachable,
      );
    }

    const text = await response.text();
    let body: unknown = text;
    if (text !== '' && /json/.test(response.headers.get('content-type') ?? '')) {
      try {
        body = JSON.parse(text);
      } catch {
        // keep the text
      }
    }
    if (response.ok) return { status: response.status, body: body as T };
    throw this.failure(method, path, response.status, body);
  }

  private async signed(
    method: string,
    url: URL,
    headers: Record<string, string>,
    body: string | undefined,
  ): Promise<Record<string, string>> {
    const region = this.target.region;
    if (!region) {
      throw new CliError(
        `signing requests to ${url.origin} needs an AWS region: pass --region or set AWS_REGION`,
        ExitCode.invalid,
      );
    }
    const credentials = this.deps.credentials ?? (await defaultCredentials(this.target.profile));
    try {
      return await signRequest(
        { method, url, headers, ...(body !== undefined ? { body } : {}) },
        { credentials, region, ...(this.deps.now ? { signingDate: this.deps.now() } : {}) },
      );
    } catch (error) {
      throw new CliError(
        `cannot sign the request with AWS credentials: ${(error as Error).message}. ` +
          'Configure credentials (aws configure, aws sso login, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) or pass --profile.',
        ExitCode.failure,
      );
    }
  }

  private failure(method: string, path: string, status: number, body: unknown): ApiError {
    const { error, issues } = problemOf(body);
    const said = error ?? (typeof body === 'string' && body.length < 200 ? body : `HTTP ${status}`);
    const what = `${method} ${path}`;
    if (status === 400 || status === 413 || status === 415 || status === 422) {
      return new ApiError(`${what}: ${said}`, ExitCode.invalid, status, body, issues);
    }
    if (status === 404) return new ApiError(said, ExitCode.notFound, status, body, issues);
    if (status === 401 || status === 403) {
      return new ApiError(
        `${what}: the API refused the request (${status}: ${said}). A deployed tenant's /plans routes need AWS credentials allowed execute-api:Invoke on its HTTP API.`,
        ExitCode.failure,
        status,
        body,
        issues,
      );
    }
    return new ApiError(`${what} failed (${status}): ${said}`, ExitCode.failure, status, body, issues);
  }
}
