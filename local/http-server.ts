/**
 * The local API Gateway: an HTTP server on 127.0.0.1 that turns each request into an API
 * Gateway HTTP API (payload v2.0) event, calls the same handler the Lambda runs (routes from
 * functions/routes.ts), and turns the result back into an HTTP response (the routing, the event
 * and the response mapping are in gateway-event.ts; this file keeps the socket's side).
 *
 * There is no gateway authorizer here: every route's function authenticates by itself (it does
 * in AWS too, the JWT authorizer of `jwt` routes being an extra first gate), so locally a key on
 * a JWT-only route gets the function's 403 problem+json where AWS answers the gateway's 401.
 *
 * Where the handler never answers, it answers as API Gateway does in AWS: a handler that
 * throws or runs past its route's `timeoutSeconds` is a Lambda function error, which an HTTP
 * API turns into `500 {"message":"Internal Server Error"}` (docs/api.md, "Outages and retries").
 * Requests that never reach a handler (unknown route, malformed path, oversized header or body)
 * get problem+json; the differences from API Gateway that remain are listed in docs/api.md.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { ROUTES, routeProblem } from '../functions/routes';
import { compileRoute, gatewayEvent, matchRoute, writeResult } from './gateway-event';
import { lambdaContext } from './lambda';

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2>;

/** Bigger than any route accepts (64 KiB), smaller than API Gateway's 10 MB: beyond it, 413 here. */
const MAX_REQUEST_BYTES = 1024 * 1024;

/** Headers of the gateway's own problem responses: no MIME sniffing, as the functions' (platform/http.ts). */
const PROBLEM_HEADERS = { 'content-type': 'application/problem+json', 'x-content-type-options': 'nosniff' };

function problem(
  res: ServerResponse,
  status: number,
  title: string,
  detail: string,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { ...PROBLEM_HEADERS, ...headers });
  res.end(JSON.stringify({ type: 'about:blank', title, status, detail }));
}

/** What an HTTP API sends when the Lambda function fails (an unhandled error or its timeout). */
function functionError(res: ServerResponse) {
  res.writeHead(500, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ message: 'Internal Server Error' }));
}

/** A raw problem+json response on a socket Node's parser gave up on (no ServerResponse exists). */
function rawProblem(status: number, title: string, detail: string): string {
  const body = JSON.stringify({ type: 'about:blank', title, status, detail });
  return (
    `HTTP/1.1 ${status} ${title}\r\ncontent-type: application/problem+json\r\nx-content-type-options: nosniff\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`
  );
}

class TimedOut extends Error {}

/** `work`, or a TimedOut rejection after `ms`. */
async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimedOut()), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) return 'too-large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export interface LocalApiOptions {
  port: number;
  /** Tried in order before the API routes (the local OIDC provider, the web app); true = answered. */
  handlers?: Array<(req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>>;
  loadHandler?: (entry: string) => Promise<Handler>;
  log?: (line: string) => void;
  /** Every route's timeout in ms instead of its `timeoutSeconds` (tests). */
  routeTimeoutMs?: number;
}

const defaultLoader = async (entry: string): Promise<Handler> =>
  ((await import(`../functions/${entry}.ts`)) as { handler: Handler }).handler;

export async function startLocalApi(
  options: LocalApiOptions,
): Promise<{ server: Server; url: string; stop(): Promise<void> }> {
  // The same safety checks as `cdk synth` (lib/stacks/api-stack.ts): no public /api route, keys never on keys/settings/admin.
  for (const def of ROUTES) {
    const unsafe = routeProblem(def);
    if (unsafe) throw new Error(unsafe);
  }
  const routes = ROUTES.map(compileRoute);
  const handlers = new Map<string, Promise<Handler>>();
  const load = options.loadHandler ?? defaultLoader;
  const handlerFor = (entry: string) => {
    let h = handlers.get(entry);
    if (!h) {
      h = load(entry);
      handlers.set(entry, h);
    }
    return h;
  };

  const server = createServer(async (req, res) => {
    const started = Date.now();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    try {
      for (const handle of options.handlers ?? []) {
        if (await handle(req, res, url)) {
          options.log?.(`${method} ${url.pathname} ${res.statusCode} ${Date.now() - started}ms`);
          return;
        }
      }
      const match = matchRoute(routes, method, url.pathname);
      if ('allowed' in match) {
        if (match.allowed.length) {
          return problem(res, 405, 'Method not allowed', `${method} is not allowed on ${url.pathname}`, {
            allow: match.allowed.join(', '),
          });
        }
        return problem(res, 404, 'Not found', `No route for ${method} ${url.pathname}`);
      }
      const raw = await readBody(req);
      if (raw === 'too-large') return problem(res, 413, 'Payload too large', 'The request body is too large');

      const event = gatewayEvent(req, url, raw, match, options.port);
      if (!event) return problem(res, 400, 'Bad request', 'The path has a malformed percent-escape');
      const timeoutMs = options.routeTimeoutMs ?? match.route.def.timeoutSeconds * 1000;
      const context = lambdaContext(match.route.def.entry, {
        memoryMb: match.route.def.memoryMb,
        timeoutMs,
        requestId: event.requestContext.requestId,
      });
      const handler = await handlerFor(match.route.def.entry);
      let result: APIGatewayProxyResultV2;
      try {
        result = await within(timeoutMs, handler(event, context));
      } catch (error) {
        // In AWS the function would be stopped here; locally it runs on, its answer unused.
        const why = error instanceof TimedOut ? `timed out after ${timeoutMs} ms` : (error as Error).message;
        options.log?.(`${method} ${url.pathname} function error: ${why}`);
        return functionError(res);
      }
      writeResult(res, result);
      options.log?.(`${method} ${url.pathname} ${res.statusCode} ${Date.now() - started}ms`);
    } catch (error) {
      options.log?.(`${method} ${url.pathname} failed: ${(error as Error).message}`);
      if (!res.headersSent) functionError(res);
      else res.end();
    }
  });
  // Requests Node's parser refuses never reach the handler above: answer them with a problem
  // body too (Node's default is an empty 400/431).
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const answer =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? rawProblem(431, 'Request Header Fields Too Large', 'The request headers are too large')
        : rawProblem(400, 'Bad Request', 'The request is malformed');
    socket.end(answer);
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
