/**
 * The API Gateway half of the local server (local/http-server.ts): which route a request
 * matches, the HTTP API payload v2.0 event it becomes, and how a handler's result is written
 * back. The server keeps what is about the socket (body limits, timeouts, problem answers).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import type { RouteDef } from '../functions/routes';

export interface CompiledRoute {
  def: RouteDef;
  method: string;
  pattern: RegExp;
  params: string[];
}

export function compileRoute(def: RouteDef): CompiledRoute {
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

export interface RouteMatch {
  route: CompiledRoute;
  /** The raw (still percent-encoded) values of the route's path parameters. */
  values: string[];
}

/**
 * The route for `method` on `pathname`, or the methods the path allows (for a 405's Allow,
 * RFC 9110 §15.5.6; empty: no route has this path, a 404). HEAD is GET without the body
 * (RFC 9110 §9.3.2); see docs/api.md for AWS.
 */
export function matchRoute(
  routes: readonly CompiledRoute[],
  method: string,
  pathname: string,
): RouteMatch | { allowed: string[] } {
  const allowed = new Set<string>();
  const routeMethod = method === 'HEAD' ? 'GET' : method;
  for (const route of routes) {
    const m = route.pattern.exec(pathname);
    if (!m) continue;
    allowed.add(route.method);
    if (route.method === 'GET') allowed.add('HEAD');
    if (route.method === routeMethod) return { route, values: m.slice(1) };
  }
  return { allowed: [...allowed].sort() };
}

/** Decode path parameters; null when one is not valid percent-encoded UTF-8. */
function decodeParams(names: string[], values: string[]): Record<string, string> | null {
  try {
    return Object.fromEntries(names.map((p, i) => [p, decodeURIComponent(values[i] ?? '')]));
  } catch {
    return null;
  }
}

function isText(contentType: string | undefined): boolean {
  return (
    !contentType || /^(text\/|application\/(json|.*\+json|x-www-form-urlencoded|xml))/i.test(contentType)
  );
}

/**
 * The event API Gateway would send the route's function for this request; null when a path
 * parameter is not valid percent-encoded UTF-8 (a 400 before any function runs). A text body
 * is passed as is, any other base64-encoded; cookies move from the headers to `cookies`.
 */
export function gatewayEvent(
  req: IncomingMessage,
  url: URL,
  raw: Buffer,
  match: RouteMatch,
  port: number,
): APIGatewayProxyEventV2 | null {
  const pathParameters = decodeParams(match.route.params, match.values);
  if (!pathParameters) return null;
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    if (key === 'cookie' || value === undefined) continue;
    headers[key] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const key of new Set(url.searchParams.keys())) query[key] = url.searchParams.getAll(key).join(',');
  const text = isText(headers['content-type']);
  const method = req.method ?? 'GET';
  const now = Date.now();
  return {
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
      domainName: `127.0.0.1:${port}`,
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
}

/** A handler's result as the HTTP response API Gateway makes of it (a bare string is a 200 JSON body). */
export function writeResult(res: ServerResponse, result: APIGatewayProxyResultV2): void {
  if (typeof result === 'string' || result === undefined || result === null) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(typeof result === 'string' ? result : '');
    return;
  }
  const responseHeaders: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(result.headers ?? {})) responseHeaders[k] = String(v);
  if (result.cookies?.length) responseHeaders['set-cookie'] = result.cookies;
  res.writeHead(result.statusCode ?? 200, responseHeaders);
  res.end(result.body ? Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8') : undefined);
}
