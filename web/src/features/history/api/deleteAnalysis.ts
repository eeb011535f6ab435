import type { ApiClient } from '../../../lib/api-client';

/** DELETE /api/analyses/{id}: 204; the charge stays on the bill (SPEC §9). */
export const deleteAnalysis = (api: ApiClient, id: string) =>
  api.request<void>(`/api/analyses/${encodeURIComponent(id)}`, { method: 'DELETE' });
