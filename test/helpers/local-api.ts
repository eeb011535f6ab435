/**
 * The local HTTP server (local/http-server.ts) with the real handlers, on an ephemeral port of
 * 127.0.0.1, for tests that go through HTTP the way a client does. Register after
 * `useTestDatabase()` so handlers find this file's DATABASE_URL.
 */
import { afterAll, beforeAll } from 'vitest';
import { startLocalApi } from '../../local/http-server';

export interface ApiResponse {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
  json: any;
}

export interface RequestOptions {
  /** Sent as `Authorization: Bearer <credential>` (an access token or an API key). */
  auth?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export function useLocalApi() {
  let api: Awaited<ReturnType<typeof startLocalApi>> | undefined;
  beforeAll(async () => {
    api = await startLocalApi({ port: 0 });
  });
  afterAll(async () => {
    await api?.stop();
  });
  return {
    async request(method: string, path: string, o: RequestOptions = {}): Promise<ApiResponse> {
      if (!api) throw new Error('local API not started (use inside tests)');
      const headers: Record<string, string> = { ...o.headers };
      if (o.auth !== undefined) headers.authorization = `Bearer ${o.auth}`;
      if (o.body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${api.url}${path}`, {
        method,
        headers,
        body: o.body === undefined ? undefined : JSON.stringify(o.body),
        signal: AbortSignal.timeout(15_000),
      });
      const text = await res.text();
      return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : null };
    },
  };
}
