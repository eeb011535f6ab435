/**
 * The API's shapes the screens read. They are generated from docs/openapi.json
 * (api-types.generated.ts, `npm run api-types`); this file only gives the app's names to the
 * parts it uses, so a change to the document shows up here as a type error, not a drift.
 */
import type { AdviceItem, AnalyzeRequest, AnalyzeResponse, PerStock, Risk } from './api-types.generated';

export type { AdviceItem, AnalyzeResponse, PerStock, Risk };

export type AdviceAction = AdviceItem['action'];

/** A holding as POST /api/analyze takes it. */
export type Holding = AnalyzeRequest['portfolio'][number];
