import type { ApiClient } from '../../../lib/api-client';
import type { ApiKey, CreatedKey } from '../types';

/** GET /api/keys answers a list; accept `{ keys: [...] }` or `{ items: [...] }` too. */
export function keysOf(body: unknown): ApiKey[] {
  if (Array.isArray(body)) return body as ApiKey[];
  const wrapped = body as { keys?: ApiKey[]; items?: ApiKey[] } | undefined;
  return wrapped?.keys ?? wrapped?.items ?? [];
}

export const createKey = (api: ApiClient, name: string) =>
  api.request<CreatedKey>('/api/keys', { method: 'POST', body: { name } });

export const revokeKey = (api: ApiClient, id: string) =>
  api.request<void>(`/api/keys/${encodeURIComponent(id)}`, { method: 'DELETE' });
