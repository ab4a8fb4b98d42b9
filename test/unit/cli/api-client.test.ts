import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApiClient, ApiError, readLocalEndpoint, resolveTarget } from '../../../cli/api-client';
import { CliError, ExitCode } from '../../../cli/exit-codes';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

function answering(status: number, body: unknown, calls: Request[] = []): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    calls.push(new Request(input, init));
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), {
      status,
      headers: { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' },
    });
  }) as typeof fetch;
}

async function failureOf(promise: Promise<unknown>): Promise<CliError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CliError) return error;
    throw error;
  }
  throw new Error('expected a CliError');
}

describe('resolveTarget', () => {
  it('finds a local stack that PORT moved through .cosell/endpoint, below COSELL_ENDPOINT', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cosell-endpoint-'));
    try {
      mkdirSync(join(dir, '.cosell'));
      writeFileSync(join(dir, '.cosell', 'endpoint'), 'http://127.0.0.1:3999\n');
      const localEndpoint = readLocalEndpoint(dir, {});
      expect(localEndpoint).toBe('http://127.0.0.1:3999');
      expect(resolveTarget({ env: {}, ...(localEndpoint ? { localEndpoint } : {}) }).endpoint.port).toBe(
        '3999',
      );
      expect(
        resolveTarget({
          env: { COSELL_ENDPOINT: 'http://127.0.0.1:4000' },
          localEndpoint: 'http://127.0.0.1:3999',
        }).endpoint.port,
      ).toBe('4000');
      // Anything but a local URL in the file is ignored.
      writeFileSync(join(dir, '.cosell', 'endpoint'), 'https://evil.example\n');
      expect(readLocalEndpoint(dir, {})).toBeUndefined();
      expect(readLocalEndpoint(join(dir, 'nowhere'), {})).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('defaults to the local stack, unsigned', () => {
    const target = resolveTarget({ env: {} });
    expect(target.endpoint.href).toBe('http://127.0.0.1:3000/');
    expect(target.sign).toBe(false);
  });

  it('takes --endpoint over COSELL_ENDPOINT, and signs anything that is not this machine', () => {
    expect(
      resolveTarget({ endpoint: 'http://localhost:3001', env: { COSELL_ENDPOINT: 'https://x.example' } }),
    ).toMatchObject({
      sign: false,
    });
    const deployed = resolveTarget({
      env: { COSELL_ENDPOINT: 'https://abc.execute-api.eu-west-1.amazonaws.com' },
    });
    expect(deployed).toMatchObject({ sign: true, region: 'eu-west-1' });
    expect(
      resolveTarget({ endpoint: 'https://deals.acme.example', env: { AWS_REGION: 'us-east-2' } }),
    ).toMatchObject({
      sign: true,
      region: 'us-east-2',
    });
    expect(
      resolveTarget({
        endpoint: 'https://deals.acme.example',
        region: 'ap-south-1',
        env: { AWS_REGION: 'us-east-2' },
      }).region,
    ).toBe('ap-south-1');
  });

  it('refuses an endpoint that is not an http(s) URL (exit 2)', () => {
    for (const endpoint of ['nonsense', 'ftp://x.example', 'http://x.example/?q=1']) {
      expect(() => resolveTarget({ endpoint, env: {} })).toThrow(
        expect.objectContaining({ exitCode: ExitCode.invalid }),
      );
    }
  });
});

describe('ApiClient', () => {
  const local = resolveTarget({ env: {} });

  it('joins paths under an endpoint with a base path and sends no signature locally', async () => {
    const calls: Request[] = [];
    const client = new ApiClient(resolveTarget({ endpoint: 'http://127.0.0.1:3000/stage/', env: {} }), {
      fetch: answering(200, { plans: [] }, calls),
    });
    const res = await client.request('GET', '/plans', { query: { partner: 'North wind', none: undefined } });
    expect(res).toEqual({ status: 200, body: { plans: [] } });
    expect(calls[0]?.url).toBe('http://127.0.0.1:3000/stage/plans?partner=North+wind');
    expect(calls[0]?.headers.get('authorization')).toBeNull();
  });

  it('signs requests to a deployed tenant', async () => {
    const calls: Request[] = [];
    const client = new ApiClient(
      resolveTarget({ endpoint: 'https://abc.execute-api.eu-west-1.amazonaws.com', env: {} }),
      {
        fetch: answering(201, { planId: 'pl_1' }, calls),
        credentials,
        now: () => new Date('2026-11-23T00:00:00Z'),
      },
    );
    await client.request('POST', '/plans', { body: 'kind: CoSellPlan', contentType: 'application/yaml' });
    expect(calls[0]?.headers.get('authorization')).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20261123\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=.*content-type/,
    );
    expect(calls[0]?.headers.get('x-amz-date')).toBe('20261123T000000Z');
  });

  it('needs a region to sign (exit 2)', async () => {
    const client = new ApiClient(resolveTarget({ endpoint: 'https://deals.acme.example', env: {} }), {
      fetch: answering(200, {}),
      credentials,
    });
    expect((await failureOf(client.request('GET', '/plans'))).exitCode).toBe(ExitCode.invalid);
  });

  it('maps API answers to exit codes and keeps the issues', async () => {
    const fail = (status: number, body: unknown) =>
      failureOf(new ApiClient(local, { fetch: answering(status, body) }).request('POST', '/plans'));
    const invalid = await fail(400, {
      error: 'the plan is not valid',
      issues: [{ path: 'name', message: 'must not be blank' }],
    });
    expect(invalid).toBeInstanceOf(ApiError);
    expect(invalid).toMatchObject({
      exitCode: ExitCode.invalid,
      issues: [{ path: 'name', message: 'must not be blank' }],
    });
    expect(invalid.message).toBe('POST /plans: the plan is not valid');
    expect((await fail(413, { error: 'too big', issues: [] })).exitCode).toBe(ExitCode.invalid);
    expect(await fail(404, { error: 'No plan with id pl_x.', issues: [] })).toMatchObject({
      exitCode: ExitCode.notFound,
      message: 'No plan with id pl_x.',
    });
    expect((await fail(403, { message: 'Forbidden' })).message).toMatch(
      /refused the request \(403: Forbidden\).*execute-api:Invoke/,
    );
    expect(await fail(500, { error: 'internal error', issues: [] })).toMatchObject({
      exitCode: ExitCode.failure,
      message: 'POST /plans failed (500): internal error',
    });
    expect((await fail(502, 'Bad Gateway')).message).toBe('POST /plans failed (502): Bad Gateway');
  });

  it('says the API cannot be reached (exit 4) and how to start the local stack', async () => {
    const refused = (async () => {
      throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    }) as typeof fetch;
    const error = await failureOf(new ApiClient(local, { fetch: refused }).request('GET', '/plans'));
    expect(error.exitCode).toBe(ExitCode.unreachable);
    expect(error.message).toBe(
      'cannot reach the API at http://127.0.0.1:3000 (ECONNREFUSED). Is the local stack running (npm start)? Or pass --endpoint URL / set COSELL_ENDPOINT.',
    );
  });
});
