/**
 * POST /api/analyze — value a portfolio at the latest prices, give rule-based advice, bill it.
 *
 * Pipeline: parse and validate → one read (quotes with their recent history, the caller's rule
 * settings, any stored answer for the Idempotency-Key, and for an API key its owner) → measures
 * shown (SPEC §11), portfolio risk (SPEC §12) and pure analysis → one atomic write.
 * With an API key the body is validated before the key is looked up (the lookup rides on the
 * read), so a bad body with a revoked key is a 400, which tells its bearer nothing. A retry with the same key and body gets the stored
 * answer and is not billed again; the unique (user, key) constraint makes that hold for
 * concurrent retries too, because the losing write rolls back entirely.
 */
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { credentialRoute } from './accounts/routes';
import {
  ANALYSIS_HISTORY_SESSIONS,
  defaultAnalysisStore,
  RISK_HISTORY_SESSIONS,
  type StoredAnalysis,
} from './analysis/analysis-store';
import { adviceConfig, measuresConfig, priceListConfig, riskConfig } from './analysis/config';
import {
  type AnalysisBody,
  type AnalysisResponse,
  analyze,
  measuredQuote,
  PortfolioValueOutOfRange,
} from './core/analysis';
import { parsePortfolio, requestHash } from './core/portfolio';
import { priceList } from './core/pricing';
import { effectiveSettings, readOverrides } from './core/rule-settings';
import { uuidv7 } from './core/uuid7';
import { rejectKey } from './platform/api';
import {
  badRequest,
  conflict,
  HttpProblem,
  serviceUnavailable,
  unprocessable,
  valueOutOfRange,
} from './platform/errors';
import { json, jsonBody, timeLeft } from './platform/http';
import { MetricUnit } from './platform/powertools';

const IDEMPOTENCY_HEADER = 'idempotency-key';
const KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;

/** The Idempotency-Key header: absent, or 1–255 printable ASCII characters. */
function parseIdempotencyKey(value: string | undefined): string | null {
  if (value === undefined) return null;
  if (!KEY_PATTERN.test(value)) {
    const message = 'must be 1-255 printable ASCII characters';
    throw badRequest(`Idempotency-Key ${message}`, [{ field: 'Idempotency-Key', message }]);
  }
  return value;
}

function replay(stored: StoredAnalysis, hash: string, metrics: Metrics) {
  // A placeholder adopted from billing records after a restore (docs/operations.md): billed
  // once already, its answer lost with the restore.
  if (stored.restored) {
    throw conflict(
      "This Idempotency-Key's analysis was restored from billing records after an outage and its answer is no longer available; it was not billed again. Send the request with a new Idempotency-Key",
    );
  }
  // Deleted by its owner or pruned (DELETE /api/analyses/{id}, retention): the answer is gone,
  // and the key stays spent so the retry is not charged again.
  if (stored.body === null) {
    throw new HttpProblem(
      409,
      'analysis-deleted',
      'Analysis deleted',
      'The analysis made with this Idempotency-Key was deleted; it was charged once and is not charged again. Use a new key to analyze again',
    );
  }
  if (stored.requestHash !== hash) {
    throw conflict('This Idempotency-Key was already used with a different request body');
  }
  metrics.addMetric('IdempotentReplays', MetricUnit.Count, 1);
  const body: AnalysisResponse = { ...stored.body, usage: stored.usage };
  return json(200, body, { 'idempotent-replayed': 'true' });
}

/** The core analysis; a portfolio worth more than the API states exactly is a 422, not billed. */
function analyzeOrRefuse(input: Parameters<typeof analyze>[0]) {
  try {
    return analyze(input);
  } catch (error) {
    if (error instanceof PortfolioValueOutOfRange)
      throw valueOutOfRange(`${error.message}. Nothing was billed.`);
    throw error;
  }
}

/**
 * How much earlier than the handler's own 503 the database must have run the write: covers the
 * reply's trip back (the deadline is on the database's clock, so clock skew does not count).
 */
const WRITE_MARGIN_MS = 500;

/** Bars per symbol the read brings: what risk needs (a superset), else what the measures need. */
function historySessions(): number {
  if (riskConfig().on) return RISK_HISTORY_SESSIONS;
  return measuresConfig().derive ? ANALYSIS_HISTORY_SESSIONS : 0;
}

export const handler = credentialRoute(
  'analyze',
  async ({ event, credential, context }, { metrics, logger }) => {
    try {
      const key = parseIdempotencyKey(event.headers[IDEMPOTENCY_HEADER]);
      const parsed = parsePortfolio(jsonBody(event, '{"portfolio": [{"symbol": …, "quantity": …}]}'));
      if (!parsed.ok) throw badRequest('The portfolio is invalid', parsed.errors);
      const { holdings } = parsed;
      const hash = requestHash(holdings);

      const store = await defaultAnalysisStore();
      const { caller, quotes, prior, settings, dbNowMs } = await store.loadInputs(
        credential.kind === 'token' ? { userSub: credential.user.sub } : { keyHash: credential.hash },
        holdings.map((h) => h.symbol),
        key,
        historySessions(),
      );
      if (!caller) return rejectKey();
      // A replay answers what was stored, whatever the caller's rule settings are now.
      if (prior) return replay(prior, hash, metrics);
      // The write's deadline on the database's own clock: its time at the read plus what is left
      // of ours (measured after the reply, so never later than the truth), less the margin.
      const notAfter = new Date(dbNowMs + timeLeft(context) - WRITE_MARGIN_MS);

      const at = new Date();
      const rules = effectiveSettings(adviceConfig(), readOverrides(settings));
      // The measures the rules read: the feed's with the current price, else derived (SPEC §11).
      const derive = measuresConfig().derive;
      const measured = quotes.map((q) => measuredQuote(q, derive));
      // Risk reads the same adjusted series (SPEC §12: adjusted closes, today's close the price).
      const series = riskConfig().on
        ? new Map(measured.flatMap((m) => (m.series ? [[m.series.symbol, m.series] as const] : [])))
        : undefined;
      const result = analyzeOrRefuse({
        // Time-ordered (core/uuid7.ts): the keys of the analysis, its ledger and outbox rows grow at
        // the right edge of their B-trees.
        id: uuidv7(at.getTime(), crypto.getRandomValues(new Uint8Array(10))),
        holdings,
        quotes: measured.map((m) => m.quote),
        thresholds: rules.thresholds,
        rules: rules.rules,
        prices: priceList(priceListConfig()),
        series,
      });
      if (!result) {
        throw unprocessable(
          `None of the symbols has a known price: ${holdings.map((h) => h.symbol).join(', ')}. Nothing was billed.`,
        );
      }

      // An analysis made with an API key names the key (GET /api/analyses/{id} shows it).
      const answer: AnalysisBody = caller.apiKeyId
        ? { ...result.body, api_key_id: caller.apiKeyId }
        : result.body;
      const outcome = await store.record({
        id: result.body.analysis_id,
        userSub: caller.userSub,
        apiKeyId: caller.apiKeyId,
        ruleSettings: rules.settings,
        idempotencyKey: key,
        requestHash: hash,
        ruleSet: result.ruleSet,
        portfolio: holdings,
        advice: result.advice,
        portfolioValuePaise: result.valuation.totalPaise,
        chargedPaise: result.charge.totalPaise,
        adviceCount: result.advice.length,
        charges: result.charge.charges,
        body: answer,
        at,
        notAfter,
      });
      if (outcome.kind === 'too-late') {
        throw serviceUnavailable('The database answered too late; nothing was billed. Retry shortly', 1);
      }
      if (outcome.kind === 'duplicate-key') {
        // A concurrent request with this key committed first: answer with what it stored.
        const stored = await store.findByKey(caller.userSub, key as string);
        if (!stored)
          throw serviceUnavailable('A concurrent request with this Idempotency-Key is in flight', 1);
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
      const body: AnalysisResponse = { ...answer, usage: outcome.usage };
      return json(200, body);
    } catch (error) {
      if (error instanceof HttpProblem && error.status < 500) {
        metrics.addMetric('AnalyzeRejections', MetricUnit.Count, 1);
      }
      throw error;
    }
  },
);
