/** The errors the API client raises; screens branch on them with `instanceof`. */

/** A field error as the API sends it (RFC 9457 problem `errors[]`). */
export interface FieldError {
  field: string;
  message: string;
}

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: FieldError[];
}

/** The API answered with an error status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(problem.detail ?? problem.title ?? `Request failed (${status})`);
    this.name = 'ApiError';
  }
  get fieldErrors(): FieldError[] {
    return this.problem.errors ?? [];
  }
}

/** The API could not be reached at all (offline, DNS, CORS, server down). */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super('The service could not be reached', { cause });
    this.name = 'NetworkError';
  }
}

/** The access token is missing or no longer accepted: the user must sign in again. */
export class SessionExpiredError extends ApiError {
  constructor(problem: Problem) {
    super(401, problem);
    this.name = 'SessionExpiredError';
  }
}

/** Words for a failed request that a user can act on. */
export function describeError(error: unknown): string {
  if (error instanceof NetworkError)
    return 'We can’t reach the Stock Consultant service. Check your connection and try again.';
  if (error instanceof SessionExpiredError) return 'Your session has expired. Sign in again to continue.';
  if (error instanceof ApiError) {
    if (error.status === 503) return 'The service is busy or partly down. Please try again in a moment.';
    return error.message;
  }
  return 'Something went wrong. Please try again.';
}
