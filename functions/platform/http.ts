/**
 * The middy pipeline every HTTP handler shares: normalized headers, Powertools context and
 * metrics, a body-size gate, the bearer-token check (routes under /api), and one error
 * handler that answers RFC 9457 problem+json. Handlers only parse, call the core and persist.
 */

import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { bearerToken, type TokenVerifier, type User } from './auth';
import { isTransientDbError } from './db';
import { badRequest, HttpProblem, payloadTooLarge, serviceUnavailable } from './errors';

export const MAX_BODY_BYTES = 64 * 1024;

export type HttpResult = APIGatewayProxyStructuredResultV2;

const BASE_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', ...BASE_HEADERS, ...headers },
    body: JSON.stringify(body),
  };
}

export function problem(p: HttpProblem, instance?: string): HttpResult {
  const body: Record<string, unknown> = {
    type: `/problems/${p.slug}`,
    title: p.title,
    status: p.status,
    detail: p.detail,
  };
  if (instance) body.instance = instance;
  if (p.extras.errors) body.errors = p.extras.errors;
  return {
    statusCode: p.status,
    headers: { 'content-type': 'application/problem+json', ...BASE_HEADERS, ...p.extras.headers },
    body: JSON.stringify(body),
  };
}

/** The event a handler core sees: the API Gateway event plus the verified caller. */
export interface ApiRequest {
  event: APIGatewayProxyEventV2;
  context: Context;
  user: User;
}

export interface PublicRequest {
  event: APIGatewayProxyEventV2;
  context: Context;
}

interface Tools {
  logger: Logger;
  metrics: Metrics;
}

/** Size of the body in bytes as API Gateway delivered it. */
function bodyBytes(event: APIGatewayProxyEventV2): number {
  if (!event.body) return 0;
  return event.isBase64Encoded
    ? Math.floor((event.body.length * 3) / 4)
    : Buffer.byteLength(event.body, 'utf8');
}

/**
 * The request body parsed as JSON (base64 bodies decoded). A missing or malformed body is a 400
 * naming the field `body`; `shape` tells the caller what was expected.
 */
export function jsonBody(event: APIGatewayProxyEventV2, shape: string): unknown {
  if (!event.body)
    throw badRequest(`The request body must be JSON ${shape}`, [{ field: 'body', message: 'is required' }]);
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest(`The request body is not valid JSON; expected ${shape}`, [
      { field: 'body', message: 'is not valid JSON' },
    ]);
  }
}

/** Turn whatever was thrown into a problem response, logging what the client must not see. */
function toProblem(error: unknown, logger: Logger): HttpProblem {
  if (error instanceof HttpProblem) {
    if (error.status >= 500) logger.warn('dependency unavailable', { error: error.cause ?? error });
    return error;
  }
  if (isTransientDbError(error)) {
    logger.warn('database unavailable', { error });
    return serviceUnavailable('The database is unavailable; retry shortly', 5, error);
  }
  logger.error('unhandled error', { error });
  return new HttpProblem(
    500,
    'internal',
    'Internal error',
    'Something went wrong on our side; it has been logged',
  );
}

function flushMetrics(metrics: Metrics) {
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}

function baseStack<E>(
  handler: (event: APIGatewayProxyEventV2, context: Context) => Promise<HttpResult>,
  tools: Tools,
) {
  return middy<APIGatewayProxyEventV2, HttpResult>()
    .use(httpHeaderNormalizer())
    .use(injectLambdaContext(tools.logger))
    .use({
      // Publish only when the handler recorded something (Powertools warns on an empty flush).
      after: () => flushMetrics(tools.metrics),
      onError: () => flushMetrics(tools.metrics),
    })
    .use({
      before: (request) => {
        if (bodyBytes(request.event) > MAX_BODY_BYTES) throw payloadTooLarge(MAX_BODY_BYTES);
      },
      onError: (request) => {
        request.response = problem(toProblem(request.error, tools.logger), request.event.rawPath);
      },
    })
    .handler(handler) as E;
}

export type LambdaHttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<HttpResult>;

/** A public route (no token). */
export function publicHandler(
  core: (req: PublicRequest) => Promise<HttpResult>,
  tools: Tools,
): LambdaHttpHandler {
  return baseStack<LambdaHttpHandler>((event, context) => core({ event, context }), tools);
}

/**
 * A route that needs a valid access token. `onUser` runs once the token is verified (users are
 * created on first sight of their `sub`).
 */
export function apiHandler(
  core: (req: ApiRequest) => Promise<HttpResult>,
  deps: Tools & { verifier: TokenVerifier; onUser?: (user: User) => Promise<void> },
): LambdaHttpHandler {
  return baseStack<LambdaHttpHandler>(async (event, context) => {
    const user = await deps.verifier.verify(bearerToken(event.headers.authorization));
    await deps.onUser?.(user);
    return core({ event, context, user });
  }, deps);
}
