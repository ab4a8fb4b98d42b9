import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FaultPlan } from './faults';

/**
 * A pass-through in front of DynamoDB Local that the functions' AWS_ENDPOINT_URL_DYNAMODB points at, so
 * throttling can be injected (`POST /_local/faults {"dynamodb": {"throttle": n}}`): each injected fault
 * answers one call as DynamoDB does when a table's throughput is exceeded, HTTP 400 with
 * `ProvisionedThroughputExceededException`, which the SDK retries with backoff (three attempts by default)
 * before the caller sees it. Everything else is forwarded byte for byte. The local stack's own reads (the
 * clock's look-ahead, the state machine's execution store) go to DynamoDB Local directly.
 */

export interface DynamoDbProxy {
  /** `http://127.0.0.1:<port>`, for AWS_ENDPOINT_URL_DYNAMODB. */
  readonly url: string;
  stop(): Promise<void>;
}

const THROTTLED = JSON.stringify({
  __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
  message:
    'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
});

export async function startDynamoDbProxy(upstream: string, faults: FaultPlan): Promise<DynamoDbProxy> {
  const target = new URL(upstream);
  const server = createServer((req, res) => {
    if (req.method === 'POST' && faults.take('dynamodb', 'throttle')) {
      req.resume();
      req.on('end', () => {
        res.writeHead(400, {
          'content-type': 'application/x-amz-json-1.0',
          'content-length': Buffer.byteLength(THROTTLED),
          'x-amzn-requestid': `local-throttle-${Date.now()}`,
        });
        res.end(THROTTLED);
      });
      return;
    }
    forward(req, res, target);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // the SDK keeps connections alive
      }),
  };
}

function forward(req: IncomingMessage, res: ServerResponse, target: URL): void {
  const upstream = httpRequest(
    {
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      // The signature covers the host header; DynamoDB Local does not check it, so it passes as sent.
      headers: req.headers,
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', (error) => {
    if (!res.headersSent) res.writeHead(503, { 'content-type': 'application/x-amz-json-1.0' });
    res.end(
      JSON.stringify({
        __type: 'com.amazonaws.dynamodb.v20120810#ServiceUnavailable',
        message: error.message,
      }),
    );
  });
  req.pipe(upstream);
}
