/**
 * The local API Gateway: an HTTP server on 127.0.0.1 that turns each request into an API
 * Gateway HTTP API (payload v2.0) event, calls the same handler the Lambda runs (routes from
 * functions/routes.ts), and turns the result back into an HTTP response.
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
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { ROUTES, type RouteDef, routeProblem } from '../functions/routes';
import { lambdaContext } from './lambda';

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2>;

/** Bigger than any route accepts (64 KiB), smaller than API Gateway's 10 MB: beyond it, 413 here. */
const MAX_REQUEST_BYTES = 1024 * 1024;

interface CompiledRoute {
  def: RouteDef;
  method: string;
  pattern: RegExp;
  params: string[];
}

function compile(def: RouteDef): CompiledRoute {
  const [method = 'GET', path = '/'] = def.routeKey.split(' ');
  const params: string[] = [];
  const source = path
    .split('/')
    .map((segment) => {
      const param = /^\{(\w+)\}$/.exec(segment);
      if (param?.[1]) {
        params.push(param[1]);
        return '([^/]+)';
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { def, method, pattern: new RegExp(`^${source}$`), params };
}

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

/** Decode path parameters; null when one is not valid percent-encoded UTF-8. */
function decodeParams(names: string[], values: string[]): Record<string, string> | null {
  try {
    return Object.fromEntries(names.map((p, i) => [p, decodeURIComponent(values[i] ?? '')]));
  } catch {
    return null;
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

function isText(contentType: string | undefined): boolean {
  return (
    !contentType || /^(text\/|application\/(json|.*\+json|x-www-form-urlencoded|xml))/i.test(contentType)
  );
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
  const routes = ROUTES.map(compile);
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
      let match: { route: CompiledRoute; values: string[] } | undefined;
      // The methods of the routes on this path, for a 405's Allow (RFC 9110 §15.5.6).
      const allowed = new Set<string>();
      // HEAD is GET without the body (RFC 9110 §9.3.2); see docs/api.md for AWS.
      const routeMethod = method === 'HEAD' ? 'GET' : method;
      for (const route of routes) {
        const m = route.pattern.exec(url.pathname);
        if (!m) continue;
        allowed.add(route.method);
        if (route.method === 'GET') allowed.add('HEAD');
        if (route.method === routeMethod) {
          match = { route, values: m.slice(1) };
          break;
        }
      }
      if (!match) {
        if (allowed.size) {
          return problem(res, 405, 'Method not allowed', `${method} is not allowed on ${url.pathname}`, {
            allow: [...allowed].sort().join(', '),
          });
        }
        return problem(res, 404, 'Not found', `No route for ${method} ${url.pathname}`);
      }
      const raw = await readBody(req);
      if (raw === 'too-large') return problem(res, 413, 'Payload too large', 'The request body is too large');

      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(req.headers)) {
        if (key === 'cookie' || value === undefined) continue;
        headers[key] = Array.isArray(value) ? value.join(',') : value;
      }
      const query: Record<string, string> = {};
      for (const key of new Set(url.searchParams.keys())) query[key] = url.searchParams.getAll(key).join(',');
      const pathParameters = decodeParams(match.route.params, match.values);
      if (!pathParameters) {
        return problem(res, 400, 'Bad request', 'The path has a malformed percent-escape');
      }
      const text = isText(headers['content-type']);
      const now = Date.now();
      const event: APIGatewayProxyEventV2 = {
        version: '2.0',
        routeKey: match.route.def.routeKey,
        rawPath: url.pathname,
        rawQueryString: url.search.slice(1),
        cookies: req.headers.cookie?.split(';').map((c) => c.trim()),
        headers,
        queryStringParameters: Object.keys(query).length ? query : undefined,
        pathParameters: match.route.params.length ? pathParameters : undefined,
        body: raw.length ? (text ? raw.toString('utf8') : raw.toString('base64')) : undefined,
        isBase64Encoded: raw.length > 0 && !text,
        requestContext: {
          accountId: '000000000000',
          apiId: 'local',
          domainName: `127.0.0.1:${options.port}`,
          domainPrefix: '127',
          http: {
            method,
            path: url.pathname,
            protocol: `HTTP/${req.httpVersion}`,
            sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
            userAgent: headers['user-agent'] ?? '',
          },
          requestId: randomUUID(),
          routeKey: match.route.def.routeKey,
          stage: '$default',
          time: new Date(now).toUTCString(),
          timeEpoch: now,
        },
      };
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
      if (typeof result === 'string' || result === undefined || result === null) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(typeof result === 'string' ? result : '');
      } else {
        const responseHeaders: Record<string, string | string[]> = {};
        for (const [k, v] of Object.entries(result.headers ?? {})) responseHeaders[k] = String(v);
        if (result.cookies?.length) responseHeaders['set-cookie'] = result.cookies;
        res.writeHead(result.statusCode ?? 200, responseHeaders);
        res.end(
          result.body ? Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8') : undefined,
        );
      }
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
