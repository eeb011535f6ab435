/**
 * Analyze retries: one fresh Idempotency-Key per analysis, reused by the retries after a
 * network error or a 503, never after an answer that says the request itself was wrong.
 */
import { describe, expect, it } from 'vitest';
import { analyzePortfolio } from '../src/features/portfolio/api/analyze';
import { createApiClient } from '../src/lib/api-client';
import { ApiError, NetworkError, SessionExpiredError } from '../src/lib/errors';

type Call = { url: string; key: string | null; auth: string | null; body: string };

/** A stand-in for the network: answers the scripted responses in order and records each call. */
function network(script: Array<Response | 'offline'>) {
  const calls: Call[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    calls.push({
      url: String(input),
      key: headers.get('idempotency-key'),
      auth: headers.get('authorization'),
      body: String(init?.body),
    });
    const next = script.shift();
    if (!next || next === 'offline') throw new TypeError('Failed to fetch');
    return next;
  };
  return { calls, fetch: fetch as typeof globalThis.fetch };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers },
  });
const ok = () => json(200, { analysis_id: 'a1', portfolio_value: 100 });
const noSleep = { sleep: async () => {} };
const portfolio = [{ symbol: 'TCS', quantity: 10 }];

describe('analyze with an Idempotency-Key', () => {
  it('retries after a network error and a 503 with the same key, sending the token each time', async () => {
    const net = network(['offline', json(503, { title: 'Unavailable' }, { 'retry-after': '1' }), ok()]);
    const api = createApiClient({ baseUrl: 'http://api.test/', getToken: () => 'tok', fetch: net.fetch });
    const result = await analyzePortfolio(api, portfolio, noSleep);
    expect(result.analysis_id).toBe('a1');
    expect(net.calls).toHaveLength(3);
    expect(new Set(net.calls.map((c) => c.key)).size).toBe(1);
    expect(net.calls[0]?.key).toMatch(/^[0-9a-f-]{36}$/);
    expect(net.calls.every((c) => c.auth === 'Bearer tok' && c.url === 'http://api.test/api/analyze')).toBe(
      true,
    );
    expect(JSON.parse(net.calls[0]?.body ?? '')).toEqual({ portfolio });
  });

  it('uses a new key for each new analysis', async () => {
    const net = network([ok(), ok()]);
    const api = createApiClient({ baseUrl: '', getToken: () => 'tok', fetch: net.fetch });
    await analyzePortfolio(api, portfolio, noSleep);
    await analyzePortfolio(api, portfolio, noSleep);
    expect(net.calls[0]?.key).not.toBe(net.calls[1]?.key);
  });

  it('does not retry a validation error, and hands its field errors over', async () => {
    const problem = {
      status: 400,
      detail: 'bad',
      errors: [{ field: 'portfolio[0].quantity', message: 'too big' }],
    };
    const net = network([json(400, problem), ok()]);
    const api = createApiClient({ baseUrl: '', getToken: () => 'tok', fetch: net.fetch });
    const error = await analyzePortfolio(api, portfolio, noSleep).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).fieldErrors).toEqual(problem.errors);
    expect(net.calls).toHaveLength(1);
  });

  it('gives up after three attempts when the network stays down', async () => {
    const net = network(['offline', 'offline', 'offline', ok()]);
    const api = createApiClient({ baseUrl: '', getToken: () => 'tok', fetch: net.fetch });
    await expect(analyzePortfolio(api, portfolio, noSleep)).rejects.toBeInstanceOf(NetworkError);
    expect(net.calls).toHaveLength(3);
  });

  it('reports an expired session (401) at once so the app can send the user to sign-in', async () => {
    let expired = 0;
    const net = network([json(401, { title: 'Unauthorized' })]);
    const api = createApiClient({
      baseUrl: '',
      getToken: () => 'old',
      onSessionExpired: () => expired++,
      fetch: net.fetch,
    });
    await expect(analyzePortfolio(api, portfolio, noSleep)).rejects.toBeInstanceOf(SessionExpiredError);
    expect(expired).toBe(1);
  });
});
