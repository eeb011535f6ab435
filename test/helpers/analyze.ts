/**
 * POST /api/analyze as a signed-in user, through the real handler: the one way tests create
 * analyses, ledger rows and outbox rows (what a real request writes).
 */
import { expect } from 'vitest';
import { handler } from '../../functions/analyze';
import { at } from './clock';
import { apiEvent, lambdaContext } from './events';
import { token } from './tokens';

export interface AnalyzeResult {
  statusCode: number;
  headers: Record<string, string | number | boolean>;
  body: string;
  /** The parsed body (null when empty), loosely typed as JSON.parse returns it. */
  json: ReturnType<typeof JSON.parse>;
}

/** Analyze `body` (an object, or raw text) as user `sub`; any status is returned. */
export async function analyzeAs(
  sub: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<AnalyzeResult> {
  const res = await handler(
    apiEvent({ method: 'POST', path: '/api/analyze', token: await token(sub), body, headers }),
    lambdaContext(),
  );
  return {
    statusCode: res.statusCode ?? 200,
    headers: res.headers ?? {},
    body: res.body ?? '',
    json: JSON.parse(res.body || 'null'),
  };
}

/** Analyze and expect 200; returns the response body. */
export async function analyzeOk(sub: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await analyzeAs(sub, body, headers);
  expect(res.statusCode, res.body).toBe(200);
  return res.json as { analysis_id: string; advice: unknown[]; [field: string]: unknown };
}

/** Analyze with the clock (Date only) at `iso`, expecting 200; the clock stays there. */
export async function analyzeOkAt(iso: string, sub: string, body: unknown) {
  at(iso);
  return analyzeOk(sub, body);
}
