/** GET /api/analyses/{id}: the stored analyze response, exactly as first returned (SPEC §9). */
export const analysisPath = (id: string) => `/api/analyses/${encodeURIComponent(id)}`;
