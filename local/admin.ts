/**
 * The local-only admin endpoint of `npm start`, for `npm run soak`: the process's memory, and a
 * forced garbage collection so a leak shows as heap that survives it.
 *
 * It exists only when `LOCAL_ADMIN_PORT` is set (off by default), listens on 127.0.0.1 only and
 * is started by scripts/start.ts, so no Lambda or CDK construct ever contains it. It reveals
 * nothing but memory figures and changes no data; the worst a local caller can do is make the
 * process collect garbage. A forced GC needs `global.gc`, which Node defines under `--expose-gc`
 * (`NODE_OPTIONS=--expose-gc npm start`); without it `POST /gc` answers 409.
 *
 *   GET  /memory  → 200 {rss, heapUsed, heapTotal, external, arrayBuffers, gcAvailable} (bytes)
 *   POST /gc      → 200 the same, measured right after a full collection
 */
import { createServer, type ServerResponse } from 'node:http';

export interface AdminServer {
  url: string;
  stop(): Promise<void>;
}

function memory() {
  const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
  return { rss, heapUsed, heapTotal, external, arrayBuffers, gcAvailable: typeof global.gc === 'function' };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const type = status < 400 ? 'application/json' : 'application/problem+json';
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

export async function startAdminServer(port: number): Promise<AdminServer> {
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`LOCAL_ADMIN_PORT must be a TCP port, got ${port}`);
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const method = req.method ?? 'GET';
    if (path === '/memory' && method === 'GET') return send(res, 200, memory());
    if (path === '/gc' && method === 'POST') {
      if (typeof global.gc !== 'function') {
        return send(res, 409, {
          type: 'about:blank',
          title: 'GC not exposed',
          status: 409,
          detail: 'Start npm start with NODE_OPTIONS=--expose-gc to allow a forced collection',
        });
      }
      global.gc();
      return send(res, 200, memory());
    }
    const known = path === '/memory' || path === '/gc';
    const status = known ? 405 : 404;
    send(
      res,
      status,
      { type: 'about:blank', title: known ? 'Method not allowed' : 'Not found', status },
      known ? { allow: path === '/gc' ? 'POST' : 'GET' } : {},
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://127.0.0.1:${bound}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
