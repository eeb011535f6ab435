/**
 * POST /api/analyze — value a portfolio at the latest prices, give rule-based advice, bill it.
 *
 * Pipeline: parse and validate → one read (quotes + any stored answer for the Idempotency-Key)
 * → pure analysis → one atomic write. A retry with the same key and body gets the stored
 * answer and is not billed again; the unique (user, key) constraint makes that hold for
 * concurrent retries too, because the losing write rolls back entirely.
 */
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { defaultAnalysisStore, type StoredAnalysis } from './analysis/analysis-store';
import { adviceConfig, priceListConfig } from './analysis/config';
import { type AnalysisResponse, analyze } from './core/analysis';
import { parsePortfolio, requestHash } from './core/portfolio';
import { priceList } from './core/pricing';
import { authenticatedRoute } from './platform/api';
import { badRequest, conflict, HttpProblem, serviceUnavailable, unprocessable } from './platform/errors';
import { json, jsonBody } from './platform/http';
import { MetricUnit } from './platform/powertools';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
const KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;

/** The Idempotency-Key header: absent, or 1–255 printable ASCII characters. */
export function parseIdempotencyKey(value: string | undefined): string | null {
  if (value === undefined) return null;
  if (!KEY_PATTERN.test(value)) {
    const message = 'must be 1-255 printable ASCII characters';
    throw badRequest(`Idempotency-Key ${message}`, [{ field: 'Idempotency-Key', message }]);
  }
  return value;
}

function replay(stored: StoredAnalysis, hash: string, metrics: Metrics) {
  if (stored.requestHash !== hash) {
    throw conflict('This Idempotency-Key was already used with a different request body');
  }
  metrics.addMetric('IdempotentReplays', MetricUnit.Count, 1);
  const body: AnalysisResponse = { ...stored.body, usage: stored.usage };
  return json(200, body, { 'idempotent-replayed': 'true' });
}

export const handler = authenticatedRoute('analyze', async ({ event, user }, { metrics, logger }) => {
  try {
    const key = parseIdempotencyKey(event.headers[IDEMPOTENCY_HEADER]);
    const parsed = parsePortfolio(jsonBody(event, '{"portfolio": [{"symbol": …, "quantity": …}]}'));
    if (!parsed.ok) throw badRequest('The portfolio is invalid', parsed.errors);
    const { holdings } = parsed;
    const hash = requestHash(holdings);

    const store = await defaultAnalysisStore();
    const { quotes, prior } = await store.loadInputs(
      user.sub,
      holdings.map((h) => h.symbol),
      key,
    );
    if (prior) return replay(prior, hash, metrics);

    const at = new Date();
    const result = analyze({
      id: crypto.randomUUID(),
      holdings,
      quotes,
      thresholds: adviceConfig(),
      prices: priceList(priceListConfig()),
    });
    if (!result) {
      throw unprocessable(
        `None of the symbols has a known price: ${holdings.map((h) => h.symbol).join(', ')}. Nothing was billed.`,
      );
    }

    const outcome = await store.record({
      id: result.body.analysis_id,
      userSub: user.sub,
      idempotencyKey: key,
      requestHash: hash,
      ruleSet: result.ruleSet,
      portfolio: holdings,
      advice: result.advice,
      portfolioValuePaise: result.valuation.totalPaise,
      chargedPaise: result.charge.totalPaise,
      adviceCount: result.advice.length,
      charges: result.charge.charges,
      body: result.body,
      at,
    });
    if (outcome.kind === 'duplicate-key') {
      // A concurrent request with this key committed first: answer with what it stored.
      const stored = await store.findByKey(user.sub, key as string);
      if (!stored) throw serviceUnavailable('A concurrent request with this Idempotency-Key is in flight', 1);
      return replay(stored, hash, metrics);
    }

    metrics.addMetric('AnalysesCompleted', MetricUnit.Count, 1);
    metrics.addMetric('AdviceItems', MetricUnit.Count, result.advice.length);
    metrics.addMetric('AmountChargedPaise', MetricUnit.Count, Number(result.charge.totalPaise));
    logger.info('analysis recorded', {
      analysisId: result.body.analysis_id,
      holdings: holdings.length,
      adviceItems: result.advice.length,
      chargedPaise: Number(result.charge.totalPaise),
    });
    const body: AnalysisResponse = { ...result.body, usage: outcome.usage };
    return json(200, body);
  } catch (error) {
    if (error instanceof HttpProblem && error.status < 500) {
      metrics.addMetric('AnalyzeRejections', MetricUnit.Count, 1);
    }
    throw error;
  }
});
