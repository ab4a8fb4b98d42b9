import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { assertPortFree, freePort, PortInUseError } from '../../../local/free-port';

describe('free-port', () => {
  let held: Server | undefined;

  afterEach(async () => {
    await new Promise<void>((resolve) => (held ? held.close(() => resolve()) : resolve()));
    held = undefined;
  });

  it('finds a free port that can then be bound', async () => {
    // Act
    const port = await freePort();

    // Assess
    expect(port).toBeGreaterThan(0);
    await expect(assertPortFree(port)).resolves.toBeUndefined();
  });

  it('throws PortInUseError with what to do when the port is taken', async () => {
    // Prepare
    const port = await freePort();
    held = createServer();
    await new Promise<void>((resolve) => held?.listen(port, '127.0.0.1', resolve));

    // Act
    const error = await assertPortFree(port).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(PortInUseError);
    expect((error as PortInUseError).message).toBe(
      `Port ${port} is in use; stop the other process or set PORT=${port + 1}`,
    );
  });

  it('detects a port held on all interfaces', async () => {
    // Prepare
    const port = await freePort();
    held = createServer();
    await new Promise<void>((resolve) => held?.listen(port, '0.0.0.0', resolve));

    // Act / Assess
    await expect(assertPortFree(port, { envVar: 'COSELL_PORT' })).rejects.toThrow(
      `set COSELL_PORT=${port + 1}`,
    );
  });
});
