/**
 * The fixed analysis the write-cost bench records over and over (issue 19 item 1): a 5-holding
 * portfolio whose prices fire exactly 3 advice items (concentration, sharp_drop,
 * high_volatility), analyzed by the real core with the configured thresholds and price list and
 * 80 sessions of closes per holding, so the stored answer has today's full shape: measures and
 * their source, and portfolio risk (SPEC §12) with each holding's contribution.
 */
import { randomBytes } from 'node:crypto';
import type { NewAnalysis } from '../functions/analysis/analysis-store';
import { adviceConfig, priceListConfig } from '../functions/analysis/config';
import { analyze, type MarketQuote, measuredQuote } from '../functions/core/analysis';
import { requestHash } from '../functions/core/portfolio';
import { priceList } from '../functions/core/pricing';
import { effectiveSettings, readOverrides } from '../functions/core/rule-settings';
import { uuidv7 } from '../functions/core/uuid7';

const TS = new Date('2026-12-04T10:00:00Z');

/** 80 weekday sessions before 2026-12-04, oldest first. */
const SESSIONS = (() => {
  const days: string[] = [];
  for (let d = new Date('2026-12-03T00:00:00Z'); days.length < 80; d.setUTCDate(d.getUTCDate() - 1)) {
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) days.unshift(d.toISOString().slice(0, 10));
  }
  return days;
})();

/** Deterministic closes around `price`, different per symbol (seed `k`). */
const closesAround = (price: number, k: number) =>
  SESSIONS.map((_, i) => Math.round(price * (1 + 0.02 * Math.sin(i * (0.7 + k / 10) + k)) * 100) / 100);

const quote = (
  symbol: string,
  price: string,
  sector: string,
  change7d: number,
  volatility: number,
  k: number,
): MarketQuote => ({
  symbol,
  price,
  name: `${symbol} Limited`,
  sector,
  change_1d_pct: 0.4,
  change_7d_pct: change7d,
  volatility,
  ts: TS,
  session: '2026-12-04',
  feedCurrent: { change_1d_pct: true, change_7d_pct: true, volatility: true },
  history: { sessions: SESSIONS, closes: closesAround(Number(price), k), actions: [] },
});

const QUOTES = [
  quote('RELIANCE', '2950.10', 'Energy', 1.2, 0.012, 1), // 60 % of the value: concentration
  quote('TCS', '4105.55', 'Information Technology', -6.3, 0.018, 2), // sharp_drop
  quote('HDFCBANK', '1712.40', 'Financial Services', 0.8, 0.051, 3), // high_volatility
  quote('INFY', '1890.00', 'Information Technology', 1.1, 0.015, 4),
  quote('ITC', '468.25', 'Consumer Goods', -0.5, 0.011, 5),
];
const HOLDINGS = [
  { symbol: 'RELIANCE', quantity: 120 },
  { symbol: 'TCS', quantity: 20 },
  { symbol: 'HDFCBANK', quantity: 40 },
  { symbol: 'INFY', quantity: 30 },
  { symbol: 'ITC', quantity: 100 },
];

/** A new analysis of the fixed portfolio by `userSub` at `at`, with `idempotencyKey` if given. */
export function fixedAnalysis(userSub: string, at: Date, idempotencyKey: string | null): NewAnalysis {
  const rules = effectiveSettings(adviceConfig(), readOverrides(null));
  const measured = QUOTES.map((q) => measuredQuote(q));
  const result = analyze({
    id: uuidv7(at.getTime(), randomBytes(10)),
    holdings: HOLDINGS,
    quotes: measured.map((m) => m.quote),
    series: new Map(measured.flatMap((m) => (m.series ? [[m.series.symbol, m.series] as const] : []))),
    thresholds: rules.thresholds,
    rules: rules.rules,
    prices: priceList(priceListConfig()),
  });
  if (result?.advice.length !== 3) throw new Error('the write-cost fixture must give 3 advice items');
  return {
    id: result.body.analysis_id,
    userSub,
    apiKeyId: null,
    ruleSettings: rules.settings,
    idempotencyKey,
    requestHash: requestHash(HOLDINGS),
    ruleSet: result.ruleSet,
    portfolio: HOLDINGS,
    advice: result.advice,
    portfolioValuePaise: result.valuation.totalPaise,
    chargedPaise: result.charge.totalPaise,
    adviceCount: result.advice.length,
    charges: result.charge.charges,
    body: result.body,
    at,
    notAfter: new Date(Date.now() + 60_000),
  };
}
