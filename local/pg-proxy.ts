/**
 * A plain TCP proxy in front of a PostgreSQL for tests and the bench, with two instruments:
 *
 * - it counts the client's round trips: the Sync ('S') and simple Query ('Q') messages, each of
 *   which makes the client wait for the server (the round-trip test, `/health`'s probe cache,
 *   `npm run bench`), without touching the code under test;
 * - it takes the database "down" and brings it back: `down()` cuts every open connection and
 *   stops listening (clients get ECONNREFUSED, as when the server is killed), `up()` listens
 *   again on the same port; the database behind it, shared by other test files, is untouched.
 *
 * It lives in `local/` so that the bench and the tests import it alike (the bench imports no
 * test code). It reads the protocol with the RDS Proxy stand-in's parser (rds-proxy-protocol.ts)
 * but is not the stand-in: that one refuses and inspects sessions for every function, this one
 * is a fault and measurement tool placed in front of whatever a test points it at.
 * Plain TCP only (no TLS), which is what local PostgreSQL speaks.
 */
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { frontendFramer, readStartupPacket } from './rds-proxy-protocol';

export interface PgProxy {
  /** `targetUrl` with host and port replaced by the proxy's. */
  url: string;
  /** Client round trips through the proxy since it started or since `reset()`. */
  roundTrips(): number;
  reset(): void;
  /** Cut every connection and refuse new ones until `up()`. */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

/** Calls `onRoundTrip` for each Sync or simple Query in one connection's client → server bytes. */
function roundTripCounter(onRoundTrip: () => void): (chunk: Buffer) => void {
  const frame = frontendFramer('SQ', onRoundTrip);
  let head: Buffer | undefined = Buffer.alloc(0);
  return (chunk) => {
    if (!head) return frame(chunk);
    // Startup packets (SSLRequest, then the StartupMessage) have no type byte.
    head = Buffer.concat([head, chunk]);
    for (;;) {
      const packet = readStartupPacket(head);
      if (!packet) return;
      head = head.subarray(packet.length);
      if (packet.kind === 'ssl' || packet.kind === 'gssenc') continue;
      const rest = head;
      head = undefined;
      if (rest.length) frame(rest);
      return;
    }
  };
}

export async function startPgProxy(targetUrl: string): Promise<PgProxy> {
  const target = new URL(targetUrl);
  let count = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    sockets.add(client).add(upstream);
    const counter = roundTripCounter(() => {
      count += 1;
    });
    client.on('data', (chunk: Buffer) => {
      counter(chunk);
      upstream.write(chunk);
    });
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(0);
  const port = (server.address() as AddressInfo).port;
  const url = new URL(targetUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  const down = async () => {
    if (!server.listening) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of sockets) s.destroy();
    await closed;
  };
  return {
    url: url.toString(),
    roundTrips: () => count,
    reset: () => {
      count = 0;
    },
    down,
    up: async () => {
      if (!server.listening) await listen(port);
    },
    close: down,
  };
}
