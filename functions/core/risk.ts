/**
 * Portfolio risk (SPEC §12) from the holdings' daily adjusted closes: annualised volatility, max
 * drawdown, effective holdings, largest sector weight and each holding's share of the variance.
 * Pure: the caller reads the history (SPEC §11, already adjusted for corporate actions) and passes
 * it in; this file decides nothing about storage. Sized for 20 holdings × 61 sessions per analyze,
 * so it works on plain arrays with one pass per measure.
 */

/** A symbol's adjusted daily closes (the shape functions/core/market-history.ts produces). */
export interface RiskSeries {
  symbol: string;
  /** YYYY-MM-DD ascending; the last is the current session (its close is the latest price). */
  sessions: string[];
  /** Adjusted closes in rupees, one per session. */
  closes: number[];
  /** Indexes i ≥ 1 where the move from i − 1 to i is an unknown adjustment (> 40 %, SPEC §11). */
  gaps: number[];
}

/** A valued holding of the analysis: `weight` is today's value weight (any scale, e.g. unrounded). */
export interface RiskHolding {
  symbol: string;
  quantity: number;
  weight: number;
  sector: string | null;
}

export interface Risk {
  /** Common sessions used (SPEC §12), also when there are too few for the measures. */
  sessions: number;
  /** Fraction per year (0.2345 = 23.45 %), 4 significant digits; null without enough history. */
  annualised_volatility: number | null;
  /** Largest peak-to-trough fall in percent, positive, 2 decimals; null without enough history. */
  max_drawdown_pct: number | null;
  /** 1 / Σw², 2 decimals (4 equal holdings → 4). */
  effective_holdings: number;
  /** The biggest sector's weight, a fraction with 2 decimals. */
  largest_sector_weight: number;
  /** Each holding's share of the portfolio variance in percent, 2 decimals; null as above. */
  contributions: Map<string, number | null>;
  /** The portfolio's value (Σ quantity × close, rupees, 2 decimals) on each common session. */
  value_series: Array<{ session: string; value: number }>;
}

/** At most this many common sessions (so at most 59 returns). */
export const RISK_MAX_SESSIONS = 60;
/** Fewer returns than this and the history measures are null. */
const RISK_MIN_RETURNS = 20;
/** Trading sessions a year, the usual factor for annualising a daily volatility. */
const TRADING_DAYS_PER_YEAR = 252;
/** §3 puts holdings without a known sector in this sector. */
export const UNCLASSIFIED_SECTOR = 'Unclassified';

/** Half away from zero to `decimals` places (these are measures, not money: floats are fine). */
const roundTo = (x: number, decimals: number): number => {
  const f = 10 ** decimals;
  return (Math.sign(x) * Math.round(Math.abs(x) * f)) / f;
};

const significant = (x: number, digits: number): number => Number(x.toPrecision(digits));

/**
 * SPEC §12 for the known holdings of one analysis. A holding without a series has no close on
 * any session, so no session is common and the history measures are null.
 */
export function computeRisk(holdings: readonly RiskHolding[], series: ReadonlyMap<string, RiskSeries>): Risk {
  const totalWeight = holdings.reduce((s, h) => s + h.weight, 0);
  const weights = holdings.map((h) => (totalWeight > 0 ? h.weight / totalWeight : 0));
  const concentration = {
    effective_holdings: roundTo(1 / weights.reduce((s, w) => s + w * w, 0), 2),
    largest_sector_weight: roundTo(largestSector(holdings, weights), 2),
  };

  const window = commonWindow(holdings, series);
  // Unrounded values for the measures: rounding to paise first would put noise into the returns.
  const values = window.sessions.map((_, t) =>
    holdings.reduce((v, h, j) => v + h.quantity * (window.closes[j]?.[t] ?? 0), 0),
  );
  const value_series = window.sessions.map((session, t) => ({ session, value: roundTo(values[t] ?? 0, 2) }));
  const returns = window.sessions.length - 1;
  const nulls = new Map(holdings.map((h) => [h.symbol, null]));
  if (returns < RISK_MIN_RETURNS || spansGap(window.sessions, holdings, series)) {
    return {
      sessions: window.sessions.length,
      annualised_volatility: null,
      max_drawdown_pct: null,
      ...concentration,
      contributions: nulls,
      value_series,
    };
  }

  const portfolioReturns = centred(logReturns(values));
  const holdingReturns = window.closes.map((closes) => centred(logReturns(closes)));
  return {
    sessions: window.sessions.length,
    annualised_volatility: significant(
      Math.sqrt(covariance(portfolioReturns, portfolioReturns) * TRADING_DAYS_PER_YEAR),
      4,
    ),
    max_drawdown_pct: roundTo(maxDrawdown(values) * 100, 2),
    ...concentration,
    contributions: contributions(holdings, weights, holdingReturns) ?? nulls,
    value_series,
  };
}

/**
 * The last up to 60 sessions in which every holding has a close, oldest first, and each
 * holding's closes on exactly those sessions (a session one holding lacks is skipped for all).
 */
function commonWindow(
  holdings: readonly RiskHolding[],
  series: ReadonlyMap<string, RiskSeries>,
): { sessions: string[]; closes: number[][] } {
  const indexes = holdings.map((h) => {
    const s = series.get(h.symbol);
    return new Map((s?.sessions ?? []).map((session, i) => [session, i]));
  });
  const first = series.get(holdings[0]?.symbol ?? '');
  const sessions: string[] = [];
  for (let i = (first?.sessions.length ?? 0) - 1; i >= 0 && sessions.length < RISK_MAX_SESSIONS; i--) {
    const session = first?.sessions[i] as string;
    if (indexes.every((index) => index.has(session))) sessions.push(session);
  }
  sessions.reverse();
  const closes = holdings.map((h, j) => {
    const s = series.get(h.symbol) as RiskSeries | undefined;
    return sessions.map((session) => s?.closes[indexes[j]?.get(session) ?? -1] ?? Number.NaN);
  });
  return { sessions, closes };
}

/**
 * True if an unadjusted gap of any holding lies inside the window: its two sessions are both
 * within [first, last] common session, so one of the window's returns moves across it. A gap
 * wholly before the window leaves every close in it on the same side and is harmless.
 */
function spansGap(
  sessions: readonly string[],
  holdings: readonly RiskHolding[],
  series: ReadonlyMap<string, RiskSeries>,
): boolean {
  const first = sessions[0];
  const last = sessions[sessions.length - 1];
  if (first === undefined || last === undefined) return false;
  return holdings.some((h) => {
    const s = series.get(h.symbol);
    return (s?.gaps ?? []).some((i) => {
      const before = s?.sessions[i - 1];
      const after = s?.sessions[i];
      return before !== undefined && after !== undefined && before >= first && after <= last;
    });
  });
}

function largestSector(holdings: readonly RiskHolding[], weights: readonly number[]): number {
  const sectors = new Map<string, number>();
  holdings.forEach((h, j) => {
    const sector = h.sector ?? UNCLASSIFIED_SECTOR;
    sectors.set(sector, (sectors.get(sector) ?? 0) + (weights[j] ?? 0));
  });
  return Math.max(0, ...sectors.values());
}

const logReturns = (xs: readonly number[]): number[] =>
  xs.slice(1).map((x, t) => Math.log(x / (xs[t] as number)));

/** The series minus its mean: covariances of centred series are plain dot products. */
function centred(xs: readonly number[]): number[] {
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  return xs.map((x) => x - mean);
}

/** Sample covariance (divisor n − 1) of two equally long centred series. */
function covariance(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let t = 0; t < a.length; t++) sum += (a[t] as number) * (b[t] as number);
  return sum / (a.length - 1);
}

/** The largest fall from a running peak to a later value, as a fraction (0 if it never fell). */
function maxDrawdown(values: readonly number[]): number {
  let peak = Number.NEGATIVE_INFINITY;
  let worst = 0;
  for (const v of values) {
    peak = Math.max(peak, v);
    worst = Math.max(worst, (peak - v) / peak);
  }
  return worst;
}

/**
 * wᵢ(Σw)ᵢ / wᵀΣw × 100 per holding; these add up to 100 by construction. Null when the portfolio
 * has no variance at all (every close constant): there is no risk to share out.
 */
function contributions(
  holdings: readonly RiskHolding[],
  weights: readonly number[],
  returns: readonly number[][],
): Map<string, number | null> | null {
  const n = holdings.length;
  const sigmaW = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const c = covariance(returns[i] as number[], returns[j] as number[]);
      sigmaW[i] = (sigmaW[i] as number) + c * (weights[j] as number);
      if (j !== i) sigmaW[j] = (sigmaW[j] as number) + c * (weights[i] as number);
    }
  }
  const variance = weights.reduce((s, w, i) => s + w * (sigmaW[i] as number), 0);
  if (!(variance > 0)) return null;
  return new Map(
    holdings.map((h, i) => [
      h.symbol,
      roundTo((((weights[i] as number) * (sigmaW[i] as number)) / variance) * 100, 2),
    ]),
  );
}

/** `details.risk` as docs/openapi.json's `Risk` describes it (the contributions go on per_stock). */
export type RiskDetails = Omit<Risk, 'contributions'>;

/**
 * The two places a Risk lands in the analyze response: `details.risk`, and each holding's
 * `per_stock[].risk_contribution_pct` (null for a symbol the risk did not cover).
 */
export function riskResponse(risk: Risk): {
  details: RiskDetails;
  contributionOf: (symbol: string) => number | null;
} {
  const { contributions, ...details } = risk;
  return { details, contributionOf: (symbol) => contributions.get(symbol) ?? null };
}
