import { createServer } from 'node:net';

/** A port another process already holds; the message says what to do about it. */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';

  constructor(
    readonly port: number,
    envVar = 'PORT',
  ) {
    super(`Port ${port} is in use; stop the other process or set ${envVar}=${port + 1}`);
  }
}

/** A TCP port the OS considers free right now on `host` (it may be taken again before you bind it). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Throws PortInUseError if `port` cannot be bound on `host`. `envVar` names the setting the user can
 * change, for the message.
 */
export function assertPortFree(
  port: number,
  options: { host?: string; envVar?: string } = {},
): Promise<void> {
  const { host = '127.0.0.1', envVar = 'PORT' } = options;
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(port, envVar) : error);
    });
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve()));
  });
}
