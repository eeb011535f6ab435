/**
 * One error family for the HTTP API. Handlers and the core throw these; the problem+json
 * middleware (http.ts) turns them into RFC 9457 responses. Anything else is an internal error
 * and reaches the client only as a generic 500.
 */

export interface FieldError {
  /** JSON path of the failing field, e.g. `portfolio[2].quantity`. */
  field: string;
  message: string;
}

export class HttpProblem extends Error {
  override name = 'HttpProblem';
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    readonly detail: string,
    readonly extras: { errors?: FieldError[]; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(detail, { cause: extras.cause });
  }
}

export const badRequest = (detail: string, errors?: FieldError[]) =>
  new HttpProblem(400, 'validation-error', 'Invalid request', detail, errors ? { errors } : {});

export const unauthorized = (detail: string) =>
  new HttpProblem(401, 'unauthorized', 'Unauthorized', detail, {
    headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
  });

export const forbidden = (detail: string) => new HttpProblem(403, 'forbidden', 'Forbidden', detail);

export const notFound = (detail: string) => new HttpProblem(404, 'not-found', 'Not found', detail);

export const conflict = (detail: string) => new HttpProblem(409, 'conflict', 'Conflict', detail);

export const payloadTooLarge = (limit: number) =>
  new HttpProblem(413, 'payload-too-large', 'Payload too large', `The request body exceeds ${limit} bytes`);

export const unprocessable = (detail: string) =>
  new HttpProblem(422, 'unprocessable', 'Nothing to analyze', detail);

export const serviceUnavailable = (detail: string, retryAfterSeconds = 5, cause?: unknown) =>
  new HttpProblem(503, 'service-unavailable', 'Service unavailable', detail, {
    headers: { 'retry-after': String(retryAfterSeconds) },
    cause,
  });
