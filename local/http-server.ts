import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/**
 * The local stand-in for the HTTP API: the same routes, turned into the same payload-2.0 events the
 * deployed API hands the same handlers. No IAM locally. `/_local/*` routes exist only here.
 */

export type HttpHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

export interface LocalRoutes {
  plansApi: HttpHandler;
  /** The program report and one-pagers (`reports-api`). */
  reportsApi: HttpHandler;
  actionLink: HttpHandler;
  /** The deal room's pages, `GET|HEAD /room/{token}` (`deal-room`). */
  dealRoom: HttpHandler;
  /** Local-only JSON routes: `GET /_local/outbox`, `GET /_local/events`, `POST /_local/clock`. */
  local: Record<
    string,
    (
      body: string,
      request?: LocalRequest,
    ) => Promise<{ status: number; body: unknown; page?: LocalPage; headers?: Record<string, string> }>
  >;
  index?: () => Promise<string>;
}

/** What a local route may read besides the body; a key ending in `/*` matches any last path segment. */
export interface LocalRequest {
  path: string;
  headers: Record<string, string>;
  query: URLSearchParams;
}

/** An HTML answer a local route may give a browser (`Accept: text/html`) instead of its JSON. */
export interface LocalPage {
  html: string;
  headers: Record<string, string>;
}

/** Reading stops here; the handlers answer 413 for anything over their own 256 KB limit. */
const READ_LIMIT = 1024 * 1024;

interface Route {
  method: string[];
  pattern: RegExp;
  routeKey: (method: string) => string;
  params: string[];
  target: 'plansApi' | 'reportsApi' | 'actionLink' | 'dealRoom';
}

const ROUTES: Route[] = [
  {
    method: ['POST', 'GET'],
    pattern: /^\/plans$/,
    routeKey: (m) => `${m} /plans`,
    params: [],
    target: 'plansApi',
  },
  {
    method: ['GET', 'PUT'],
    pattern: /^\/plans\/([^/]+)$/,
    routeKey: (m) => `${m} /plans/{planId}`,
    params: ['planId'],
    target: 'plansApi',
  },
  {
    method: ['POST'],
    pattern: /^\/plans\/([^/]+)\/close$/,
    routeKey: (m) => `${m} /plans/{planId}/close`,
    params: ['planId'],
    target: 'plansApi',
  },
  {
    method: ['GET'],
    pattern: /^\/plans\/([^/]+)\/history$/,
    routeKey: (m) => `${m} /plans/{planId}/history`,
    params: ['planId'],
    target: 'plansApi',
  },
  {
    method: ['GET'],
    pattern: /^\/plans\/([^/]+)\/schedule$/,
    routeKey: (m) => `${m} /plans/{planId}/schedule`,
    params: ['planId'],
    target: 'plansApi',
  },
  {
    method: ['POST'],
    pattern: /^\/plans\/([^/]+)\/retry$/,
    routeKey: (m) => `${m} /plans/{planId}/retry`,
    params: ['planId'],
    target: 'plansApi',
  },
  {
    method: ['POST'],
    pattern: /^\/plans\/([^/]+)\/room-link$/,
    routeKey: (m) => `${m} /plans/{planId}/room-link`,
    params: ['planId'],
    target: 'plansApi',
  },
  {
    method: ['GET'],
    pattern: /^\/plans\/([^/]+)\/one-pager$/,
    routeKey: (m) => `${m} /plans/{planId}/one-pager`,
    params: ['planId'],
    target: 'reportsApi',
  },
  {
    method: ['PUT', 'GET'],
    pattern: /^\/partner-plans$/,
    routeKey: (m) => `${m} /partner-plans`,
    params: [],
    target: 'plansApi',
  },
  ...['/reports/program', '/reports/program.html', '/reports/program.csv'].map(
    (path): Route => ({
      method: ['GET'],
      pattern: new RegExp(`^${path.replace(/[.]/g, '\\.')}$`),
      routeKey: (m) => `${m} ${path}`,
      params: [],
      target: 'reportsApi',
    }),
  ),
  {
    method: ['GET', 'HEAD', 'POST'],
    pattern: /^\/a\/([^/]+)$/,
    routeKey: (m) => `${m} /a/{token}`,
    params: ['token'],
    target: 'actionLink',
  },
  {
    method: ['GET', 'HEAD'],
    pattern: /^\/room\/([^/]+)$/,
    routeKey: (m) => `${m} /room/{token}`,
    params: ['token'],
    target: 'dealRoom',
  },
];

/** The answers each server is still writing (see closeHttpServer). */
const inFlight = new WeakMap<Server, Set<ServerResponse>>();

export function startHttpServer(routes: LocalRoutes, port: number, host = '127.0.0.1'): Promise<Server> {
  const answering = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    answering.add(res);
    res.once('close', () => answering.delete(res));
    if (!server.listening) res.setHeader('connection', 'close'); // stopping: this connection's last answer
    handle(routes, req, res).catch((error) => {
      console.error('local HTTP server error:', error);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'internal error', issues: [] }));
    });
  });
  inFlight.set(server, answering);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/**
 * Stops a server bounded in time. `server.close()` alone waits for every keep-alive connection to go idle,
 * which never happens while a client keeps sending on one (a poller every 200 ms): so idle connections are
 * closed now, answers being written end with `Connection: close`, and whatever is still open after
 * `graceMs` is destroyed. Resolves with how many connections had to be destroyed.
 */
export function closeHttpServer(server: Server, graceMs = 2_000): Promise<number> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    server.close(() => {
      clearTimeout(timer);
      resolve(0);
    });
    for (const res of inFlight.get(server) ?? []) if (!res.headersSent) res.setHeader('connection', 'close');
    server.closeIdleConnections();
    timer = setTimeout(() => {
      server.getConnections((_error, count) => {
        server.closeAllConnections();
        resolve(count ?? 0);
      });
    }, graceMs);
  });
}

async function handle(routes: LocalRoutes, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://local');
  const method = (req.method ?? 'GET').toUpperCase();
  const body = await readBody(req);
  if (body === undefined)
    return send(res, 413, { 'content-type': 'application/json' }, JSON.stringify(tooLarge()));

  const local =
    routes.local[`${method} ${url.pathname}`] ??
    routes.local[`${method} ${url.pathname.replace(/\/[^/]+$/, '/*')}`];
  if (local) {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
    const out = await local(body.toString('utf8'), { path: url.pathname, headers, query: url.searchParams });
    if (out.page) return send(res, out.status, out.page.headers, method === 'HEAD' ? '' : out.page.html);
    return send(
      res,
      out.status,
      { 'content-type': 'application/json; charset=utf-8', ...out.headers },
      JSON.stringify(out.body, null, 2),
    );
  }
  if (method === 'GET' && url.pathname === '/' && routes.index) {
    return send(
      res,
      200,
      { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
      await routes.index(),
    );
  }
  for (const route of ROUTES) {
    const match = route.pattern.exec(url.pathname);
    if (!match) continue;
    if (!route.method.includes(method)) {
      return send(
        res,
        405,
        { 'content-type': 'application/json', allow: route.method.join(', ') },
        JSON.stringify({ error: 'method not allowed', issues: [] }),
      );
    }
    let pathParameters: Record<string, string>;
    try {
      pathParameters = Object.fromEntries(
        route.params.map((p, i) => [p, decodeURIComponent(match[i + 1] ?? '')]),
      );
    } catch {
      // API Gateway refuses a path that is not valid percent-encoding before any function sees it.
      return send(
        res,
        400,
        { 'content-type': 'application/json' },
        JSON.stringify({
          error: 'the path is not valid percent-encoding',
          issues: [{ path: '(path)', message: 'a % must be followed by two hexadecimal digits' }],
        }),
      );
    }
    const event = toEvent(req, url, method, route.routeKey(method), pathParameters, body);
    const result = await routes[route.target](event);
    const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k, String(v)]));
    return send(res, result.statusCode ?? 200, headers, method === 'HEAD' ? '' : (result.body ?? ''));
  }
  send(
    res,
    404,
    { 'content-type': 'application/json' },
    JSON.stringify({ error: `no route ${method} ${url.pathname}`, issues: [] }),
  );
}

function toEvent(
  req: IncomingMessage,
  url: URL,
  method: string,
  routeKey: string,
  pathParameters: Record<string, string>,
  body: Buffer,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers))
    if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
  // As API Gateway does: repeated parameters joined with commas, absent when there is no query.
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = Object.hasOwn(query, k) ? `${query[k]},${v}` : v;
  const now = Date.now();
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    pathParameters,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: 'local',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    ...(body.length ? { body: body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0,
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > READ_LIMIT) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function tooLarge() {
  return {
    error: 'the body is too large',
    issues: [{ path: '(body)', message: `more than ${READ_LIMIT} bytes` }],
  };
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  res.writeHead(status, headers);
  res.end(body);
}
