import { createServer } from 'node:net';

/**
 * A TCP port free on 127.0.0.1 right now (for tests and benchmarks that start servers). Another
 * process may take it before the caller binds it: a caller that can start again on another port
 * uses `withFreePorts`.
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** True if `error` says an address (a port) was already in use when a server tried to bind it. */
export function isAddressInUse(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'EADDRINUSE';
}

/** How many times `withFreePorts` starts the thing: a lost race is rare, a second one rarer. */
export const PORT_ATTEMPTS = 5;

/**
 * `start` on `count` ports found free. When a port was taken between finding it and binding it
 * (`start` rejects with EADDRINUSE, see isAddressInUse), it runs again on new ports, at most
 * `attempts` times in all; `start` must have released what it had started. Any other error, and
 * the last EADDRINUSE, is thrown as it came.
 */
export async function withFreePorts<T>(
  count: number,
  start: (...ports: number[]) => Promise<T>,
  attempts = PORT_ATTEMPTS,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const ports: number[] = [];
    while (ports.length < count) {
      const port = await freePort();
      if (!ports.includes(port)) ports.push(port);
    }
    try {
      return await start(...ports);
    } catch (error) {
      if (!isAddressInUse(error) || attempt >= attempts) throw error;
    }
  }
}
