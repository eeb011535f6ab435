/**
 * A counting TCP proxy in front of PostgreSQL: it forwards bytes untouched and counts the
 * client's round trips, i.e. the Sync ('S') and simple Query ('Q') messages of the extended
 * and simple protocols — each makes the client wait for the server. Used by the round-trip test
 * and `npm run bench` to measure database round trips per request without touching the code
 * under test. Plain TCP only (no TLS), which is what local PostgreSQL speaks.
 */
import { connect, createServer, type Socket } from 'node:net';

export interface RoundTripProxy {
  /** `targetUrl` with host and port replaced by the proxy's. */
  url: string;
  roundTrips(): number;
  reset(): void;
  close(): Promise<void>;
}

/** Counts protocol messages in the client → server byte stream of one connection. */
function messageCounter(onRoundTrip: () => void) {
  let buffer = Buffer.alloc(0);
  let startup = true;
  return (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      if (startup) {
        // StartupMessage / SSLRequest: int32 length (including itself), no type byte.
        if (buffer.length < 4) return;
        const length = buffer.readInt32BE(0);
        if (buffer.length < length) return;
        buffer = buffer.subarray(length);
        startup = false;
        continue;
      }
      if (buffer.length < 5) return;
      const type = String.fromCharCode(buffer[0] as number);
      const length = buffer.readInt32BE(1);
      if (buffer.length < 1 + length) return;
      if (type === 'S' || type === 'Q') onRoundTrip();
      buffer = buffer.subarray(1 + length);
    }
  };
}

export async function startRoundTripProxy(targetUrl: string): Promise<RoundTripProxy> {
  const target = new URL(targetUrl);
  let count = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    sockets.add(client).add(upstream);
    const count1 = messageCounter(() => {
      count += 1;
    });
    client.on('data', (chunk: Buffer) => {
      count1(chunk);
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
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('proxy has no address');
  const url = new URL(targetUrl);
  url.hostname = '127.0.0.1';
  url.port = String(address.port);
  return {
    url: url.toString(),
    roundTrips: () => count,
    reset: () => {
      count = 0;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
