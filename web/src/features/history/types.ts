/**
 * GET /api/analyses (SPEC §9): a page of past analyses and one item of it, generated from
 * docs/openapi.json (`npm run api-types`).
 */
export type { AnalysisPage, AnalysisSummary } from '../../lib/api-types.generated';
