/**
 * The middy pipeline every HTTP handler shares: normalized headers, Powertools context and
 * metrics, a 503 of its own before the Lambda timeout, the bearer-token check (routes under
 * /api), and one error handler that answers RFC 9457 problem+json. Handlers only parse, call
 * the core and persist.
 */

import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { User } from './auth';
import { isTransientDbError } from './db';
import { badRequest, HttpProblem, payloadTooLarge, serviceUnavailable, unsupportedMediaType } from './errors';

const MAX_BODY_BYTES = 64 * 1024;

/**
 * How long before its Lambda timeout a handler stops waiting and answers 503 + Retry-After
 * itself. A function that times out reaches the client as API Gateway's own bare 500 (no
 * Retry-After, no problem+json; docs/api.md), so it must never get that far.
 */
export const EARLY_ANSWER_MS = 1000;

/** Milliseconds until this invocation answers 503 unless it has answered already. */
export function timeLeft(context: Context): number {
  return context.getRemainingTimeInMillis() - EARLY_ANSWER_MS;
}

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

/** `application/json` or any `application/*+json`, parameters (charset) allowed, any case. */
const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * The request body parsed as JSON (base64 bodies decoded). A body over MAX_BODY_BYTES is a
 * 413; a body sent as anything but JSON (or without a Content-Type) is a 415, before it is
 * read; a missing or malformed body is a 400 naming the field `body`; `shape` tells the caller
 * what was expected.
 */
export function jsonBody(event: APIGatewayProxyEventV2, shape: string): unknown {
  // Checked where a body is read, so a route that reads none (every GET) ignores one, as
  // RFC 9110 lets it, instead of answering a 413 its document does not list.
  if (bodyBytes(event) > MAX_BODY_BYTES) throw payloadTooLarge(MAX_BODY_BYTES);
  const type = event.headers['content-type'];
  if (event.body && !JSON_MEDIA_TYPE.test(type ?? '')) {
    throw unsupportedMediaType(
      `The request body must be sent as Content-Type: application/json${type ? `, not ${type.slice(0, 100)}` : ''}`,
    );
  }
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
  return middy<APIGatewayProxyEventV2, HttpResult>({
    // middy races the handler against this; its default (5 ms, a generic error) became a 500.
    // The abandoned handler may still finish later: writes carry their own deadline
    // (analysis-store `notAfter`) so a late one is refused by the database.
    timeoutEarlyInMillis: EARLY_ANSWER_MS,
    timeoutEarlyResponse: () => {
      throw serviceUnavailable(
        'The service did not answer in time (the database may be stalled); retry shortly',
      );
    },
  })
    .use(httpHeaderNormalizer())
    .use(injectLambdaContext(tools.logger))
    .use({
      // Publish only when the handler recorded something (Powertools warns on an empty flush).
      after: () => flushMetrics(tools.metrics),
      onError: () => flushMetrics(tools.metrics),
    })
    .use({
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
 * A route that needs a credential. `authenticate` turns the event into the request the core
 * sees (platform/api.ts: an access token or an API key, per the route's entry in
 * functions/routes.ts); it throws a 401/403 HttpProblem for a bad or refused credential.
 */
export function apiHandler<R>(
  core: (req: R) => Promise<HttpResult>,
  deps: Tools & { authenticate: (event: APIGatewayProxyEventV2, context: Context) => Promise<R> },
): LambdaHttpHandler {
  return baseStack<LambdaHttpHandler>(
    async (event, context) => core(await deps.authenticate(event, context)),
    deps,
  );
}
