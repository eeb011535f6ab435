/**
 * Portfolio risk in a real analysis (SPEC §12): bars and latest prices written into PostgreSQL,
 * POST /api/analyze through the real handler, and `details.risk` compared with values this file
 * computes on its own, straight from the SPEC's formulas (no code shared with functions/core).
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { measuresConfig, riskConfig } from '../../functions/analysis/config';
import { handler as analysisGet } from '../../functions/analysis-get';
import { analyzeAs, analyzeOk } from '../helpers/analyze';
import { useTestDatabase } from '../helpers/db';
import { apiEvent, lambdaContext } from '../helpers/events';
import { token } from '../helpers/tokens';
import { insertBars, insertPrice, weekdays } from '../market/fixtures';

const db = useTestDatabase();

// The current session is Friday 2026-11-27 (prices at 11:30 IST); bars up to Thursday.
const NOW = '2026-11-27T06:00:00Z';
const CURRENT = '2026-11-27';
const SESSIONS = weekdays('2026-11-26', 70);
const round2 = (x: number) => Math.round(x * 100) / 100;

interface Holding {
  symbol: string;
  quantity: number;
  price: number;
  sector: string | null;
  bars: Array<{ session: string; close: number }>;
}

/** Wavy closes with 2 decimals, as a bhavcopy has them; `skip` leaves out one session. */
const wavy = (base: number, amp: number, period: number, drift: number, skip?: number) =>
  SESSIONS.flatMap((session, i) =>
    i === skip ? [] : [{ session, close: round2(base + amp * Math.sin(i / period) + drift * i) }],
  );

const RA: Holding = { symbol: 'RA', quantity: 10, price: 512.35, sector: 'IT', bars: wavy(500, 20, 3, 0.2) };
// RB lacks the 61st session (inside the last 60): it is skipped for every holding.
const RB: Holding = {
  symbol: 'RB',
  quantity: 4,
  price: 1260.4,
  sector: 'Banking',
  bars: wavy(1200, 45, 5, 0.8, 60),
};
// No sector: counted under "Unclassified".
const RC: Holding = { symbol: 'RC', quantity: 50, price: 81.15, sector: null, bars: wavy(80, 4, 2, -0.02) };
// 10 bars: 11 sessions with the current one, 10 returns (fewer than 20).
const NEWBIE: Holding = {
  symbol: 'NEWBIE',
  quantity: 30,
  price: 101.5,
  sector: 'IT',
  bars: SESSIONS.slice(-10).map((session, i) => ({ session, close: 100 + i })),
};
// A 1:5 split nobody imported, 10 sessions ago: inside any window of 20+ returns.
const GAP: Holding = {
  symbol: 'GAP',
  quantity: 5,
  price: 201,
  sector: 'Energy',
  bars: SESSIONS.slice(-30).map((session, i) => ({ session, close: i < 20 ? 1000 + i : 200 + i })),
};
// The same gap 69 sessions ago: before the 60-session window, so harmless.
const OLDGAP: Holding = {
  symbol: 'OLDGAP',
  quantity: 5,
  price: 210,
  sector: 'Energy',
  bars: SESSIONS.map((session, i) => ({ session, close: i < 1 ? 1000 : 200 + (i % 4) })),
};

beforeAll(async () => {
  const sql = db.current.sql;
  for (const h of [RA, RB, RC, NEWBIE, GAP, OLDGAP]) {
    await insertBars(sql, h.symbol, h.bars);
    await insertPrice(sql, h.symbol, h.price.toFixed(2), NOW, h.sector ?? 'x');
    await sql`UPDATE latest_prices SET sector = ${h.sector} WHERE symbol = ${h.symbol}`;
  }
});

afterEach(() => {
  delete process.env.DERIVED_MEASURES;
  delete process.env.PORTFOLIO_RISK;
  measuresConfig.reset();
  riskConfig.reset();
});

const sampleCov = (a: number[], b: number[]) => {
  const ma = a.reduce((s, x) => s + x, 0) / a.length;
  const mb = b.reduce((s, x) => s + x, 0) / b.length;
  return a.reduce((s, x, t) => s + (x - ma) * ((b[t] as number) - mb), 0) / (a.length - 1);
};
const logReturns = (xs: number[]) => xs.slice(1).map((x, t) => Math.log(x / (xs[t] as number)));

/** SPEC §12, computed here from the holdings' bars and prices. */
function expectedRisk(holdings: Holding[]) {
  const closeOn = holdings.map(
    (h) => new Map([...h.bars.map((b) => [b.session, b.close] as const), [CURRENT, h.price]]),
  );
  const common = [...SESSIONS, CURRENT].filter((s) => closeOn.every((m) => m.has(s))).slice(-60);
  const closes = closeOn.map((m) => common.map((s) => m.get(s) as number));
  const values = common.map((_, t) =>
    holdings.reduce((v, h, j) => v + h.quantity * (closes[j]?.[t] as number), 0),
  );
  const total = holdings.reduce((v, h) => v + h.quantity * h.price, 0);
  const w = holdings.map((h) => (h.quantity * h.price) / total);
  const sectors = new Map<string, number>();
  holdings.forEach((h, j) => {
    sectors.set(
      h.sector ?? 'Unclassified',
      (sectors.get(h.sector ?? 'Unclassified') ?? 0) + (w[j] as number),
    );
  });
  const r = logReturns(values);
  let peak = 0;
  let drawdown = 0;
  for (const v of values) {
    peak = Math.max(peak, v);
    drawdown = Math.max(drawdown, (peak - v) / peak);
  }
  const rets = closes.map(logReturns);
  const cov = rets.map((a) => rets.map((b) => sampleCov(a, b)));
  const sigmaW = cov.map((row) => row.reduce((s, c, j) => s + c * (w[j] as number), 0));
  const variance = w.reduce((s, wi, i) => s + wi * (sigmaW[i] as number), 0);
  return {
    risk: {
      sessions: common.length,
      annualised_volatility: Number((Math.sqrt(sampleCov(r, r)) * Math.sqrt(252)).toPrecision(4)),
      max_drawdown_pct: round2(drawdown * 100),
      effective_holdings: round2(1 / w.reduce((s, x) => s + x * x, 0)),
      largest_sector_weight: round2(Math.max(...sectors.values())),
      value_series: common.map((session, t) => ({ session, value: round2(values[t] as number) })),
    },
    shares: holdings.map((h, i) => [
      h.symbol,
      round2(((w[i] as number) * (sigmaW[i] as number) * 100) / variance),
    ]),
    rawShareSum: w.reduce((s, wi, i) => s + (wi * (sigmaW[i] as number) * 100) / variance, 0),
  };
}

const portfolio = (...holdings: Holding[]) => ({
  portfolio: holdings.map((h) => ({ symbol: h.symbol, quantity: h.quantity })),
});
type PerStock = { symbol: string; risk_contribution_pct?: number | null };
type Body = { analysis_id: string; details: { per_stock: PerStock[]; risk?: Record<string, unknown> } };
const shares = (body: Body) => body.details.per_stock.map((p) => [p.symbol, p.risk_contribution_pct]);

describe('details.risk of an analysis', () => {
  it('matches the SPEC §12 formulas over the last 60 common sessions (a session one holding lacks is skipped)', async () => {
    const body = (await analyzeOk('risk-user', portfolio(RA, RB, RC))) as unknown as Body;
    const expected = expectedRisk([RA, RB, RC]);
    // 70 bars + today, RB's missing session skipped for all, capped at 60: the read brought enough.
    expect(expected.risk.sessions).toBe(60);
    expect(body.details.risk).toEqual(expected.risk);
    expect(shares(body)).toEqual(expected.shares);
    expect(expected.rawShareSum).toBeCloseTo(100, 9);
    expect(body.details.risk?.value_series).not.toContainEqual(
      expect.objectContaining({ session: SESSIONS[60] }),
    );
    // The last point is today's value at the latest prices: the portfolio value itself.
    const series = (body.details.risk?.value_series ?? []) as Array<{ value: number }>;
    expect(series.at(-1)).toEqual({
      session: CURRENT,
      value: (body as unknown as { portfolio_value: number }).portfolio_value,
    });
  });

  it('gives null history measures with fewer than 20 common returns, and still the concentration', async () => {
    const body = (await analyzeOk('risk-user', portfolio(RA, NEWBIE))) as unknown as Body;
    const expected = expectedRisk([RA, NEWBIE]);
    expect(body.details.risk).toEqual({
      ...expected.risk,
      sessions: 11,
      annualised_volatility: null,
      max_drawdown_pct: null,
    });
    expect(shares(body)).toEqual([
      ['RA', null],
      ['NEWBIE', null],
    ]);
  });

  it('gives null history measures when the window spans an unadjusted gap, not when the gap lies before it', async () => {
    const spanning = (await analyzeOk('risk-user', portfolio(RA, GAP))) as unknown as Body;
    expect(spanning.details.risk).toMatchObject({
      sessions: 31,
      annualised_volatility: null,
      max_drawdown_pct: null,
      effective_holdings: expectedRisk([RA, GAP]).risk.effective_holdings,
    });
    expect(shares(spanning)).toEqual([
      ['RA', null],
      ['GAP', null],
    ]);

    const before = (await analyzeOk('risk-user', portfolio(RC, OLDGAP))) as unknown as Body;
    const expected = expectedRisk([RC, OLDGAP]);
    expect(before.details.risk).toEqual(expected.risk);
    expect(shares(before)).toEqual(expected.shares);
  });

  it('is stored with the analysis: a retry with the Idempotency-Key and the history show it as first returned', async () => {
    const headers = { 'Idempotency-Key': 'risk-replay' };
    const first = await analyzeAs('risk-replayer', portfolio(RA, RB), headers);
    expect(first.statusCode).toBe(200);
    expect(first.json.details.risk.annualised_volatility).toEqual(expect.any(Number));

    const retry = await analyzeAs('risk-replayer', portfolio(RA, RB), headers);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toBe(first.body);

    const stored = await analysisGet(
      apiEvent({
        path: `/api/analyses/${first.json.analysis_id}`,
        pathParameters: { id: first.json.analysis_id },
        token: await token('risk-replayer'),
      }),
      lambdaContext(),
    );
    expect(stored.statusCode).toBe(200);
    expect(JSON.parse(stored.body ?? '{}').details).toEqual(first.json.details);
  });

  it('works with DERIVED_MEASURES=off (risk reads its own history); PORTFOLIO_RISK=off leaves it out', async () => {
    const expected = expectedRisk([RA, RB, RC]);
    process.env.DERIVED_MEASURES = 'off';
    const withoutMeasures = (await analyzeOk('risk-user', portfolio(RA, RB, RC))) as unknown as Body;
    expect(withoutMeasures.details.risk).toEqual(expected.risk);
    expect(withoutMeasures.details.per_stock[0]).toMatchObject({
      volatility: null,
      measures_source: { volatility: null },
    });

    process.env.PORTFOLIO_RISK = 'off';
    riskConfig.reset();
    const withoutRisk = (await analyzeOk('risk-user', portfolio(RA, RB, RC))) as unknown as Body;
    expect(withoutRisk.details.risk).toBeUndefined();
    expect(withoutRisk.details.per_stock.map((p) => 'risk_contribution_pct' in p)).toEqual([
      false,
      false,
      false,
    ]);
  });
});
