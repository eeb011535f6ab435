/**
 * The API client: JSON over fetch with the signed-in user's access token. Errors come back as
 * `ApiError` (with the problem+json body), `SessionExpiredError` (401) or `NetworkError`.
 */
import { ApiError, NetworkError, type Problem, SessionExpiredError } from './errors';

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface ApiClient {
  request<T>(path: string, options?: RequestOptions): Promise<T>;
}

export interface ApiClientOptions {
  /** Base URL of the HTTP API; '' for the page's own origin. */
  baseUrl: string;
  /** The access token to send; may renew it first (a promise), so a call never goes out expired. */
  getToken: () => string | null | Promise<string | null>;
  /** Called on a 401 so the app can send the user back to sign-in. */
  onSessionExpired?: () => void;
  fetch?: typeof fetch;
}

async function readProblem(res: Response): Promise<Problem> {
  try {
    const type = res.headers.get('content-type') ?? '';
    if (type.includes('json')) return (await res.json()) as Problem;
  } catch {
    // an unreadable error body: fall back to the status line
  }
  return { status: res.status, title: res.statusText };
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const base = options.baseUrl.replace(/\/$/, '');
  return {
    async request<T>(path: string, { method = 'GET', body, headers = {}, signal }: RequestOptions = {}) {
      const token = await options.getToken();
      let res: Response;
      try {
        res = await doFetch(`${base}${path}`, {
          method,
          signal,
          headers: {
            accept: 'application/json',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...headers,
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      } catch (error) {
        if ((error as Error).name === 'AbortError') throw error;
        throw new NetworkError(error);
      }
      if (res.ok) {
        if (res.status === 204) return undefined as T;
        return (await res.json()) as T;
      }
      const problem = await readProblem(res);
      if (res.status === 401) {
        options.onSessionExpired?.();
        throw new SessionExpiredError(problem);
      }
      const retryAfter = Number(res.headers.get('retry-after'));
      throw new ApiError(
        res.status,
        problem,
        Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
      );
    },
  };
}
