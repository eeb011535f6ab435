/**
 * Market history and the measures no real feed sends (SPEC §11). Pure: bars, corporate actions
 * and the latest price in; adjusted series, derived measures and "which value is shown" out.
 *
 * A symbol's series is its daily closes ordered by session, adjusted for splits and bonuses,
 * whose last point is the current session (the IST date of the latest price) with the latest
 * price as its close. Every measure reads that series, and so does portfolio risk (SPEC §12).
 */
import { DAY_MS } from './ist';

export interface RawBar {
  session: string /* YYYY-MM-DD */;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number | null;
  official: boolean;
}

/** A split or bonus: prices of sessions before `exDate` are divided by factorNum / factorDen. */
export interface CorporateAction {
  exDate: string;
  factorNum: number;
  factorDen: number;
}

/** A session-to-session move larger than this (40 %) without a known action is an unknown adjustment. */
export const GAP_THRESHOLD = 0.4;

export interface AdjustedSeries {
  symbol: string;
  /** Sessions ascending; the last is the current session, whose close is the latest price. */
  sessions: string[];
  /** Adjusted closes in rupees, one per session. */
  closes: number[];
  /** Indexes i ≥ 1 where |closes[i] / closes[i-1] − 1| > GAP_THRESHOLD: an unadjusted gap between sessions i−1 and i. */
  gaps: number[];
}

/** The compact history the database reads return: closes by session, and the symbol's actions. */
export interface CloseHistory {
  sessions: string[];
  closes: number[];
  actions: CorporateAction[];
}

/** Returns used for volatility (SPEC §11): the last 20, at least 10. */
const VOLATILITY_RETURNS = 20;
const MIN_VOLATILITY_RETURNS = 10;
/**
 * Bars (before the current session) every measure can need: 20 of them and the current price
 * give the 20 returns of volatility, and at most 6 sessions lie strictly between the current
 * session's date − 7 and the current session, so C₇, if it exists, is always among them. Reads
 * fetch the last MEASURE_SESSIONS bars of a symbol.
 */
export const MEASURE_SESSIONS = VOLATILITY_RETURNS;

/** `YYYY-MM-DD` shifted by `days` calendar days. */
export function addDays(session: string, days: number): string {
  return new Date(Date.parse(`${session}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The product of the factors of the actions that apply to `session` (ex-date after it, on or before asOf). */
function factorFor(session: string, actions: readonly CorporateAction[], asOf: string): [number, number] {
  let num = 1;
  let den = 1;
  for (const a of actions) {
    // An action whose ex-date is still ahead adjusts nothing yet: today's price is pre-split too.
    if (session < a.exDate && a.exDate <= asOf) {
      num *= a.factorNum;
      den *= a.factorDen;
    }
  }
  return [num, den];
}

/** Indexes of `sessions` in ascending order of session (the identity when already ascending). */
function ascendingOrder(sessions: readonly string[]): number[] {
  const order = sessions.map((_, i) => i);
  for (let i = 1; i < sessions.length; i++) {
    if ((sessions[i - 1] as string) >= (sessions[i] as string)) {
      return order.sort((a, b) => ((sessions[a] as string) < (sessions[b] as string) ? -1 : 1));
    }
  }
  return order;
}

/** The adjusted series of a symbol from its raw bars (any order), its actions and its latest price. */
export function adjustedSeries(
  symbol: string,
  bars: RawBar[],
  actions: CorporateAction[],
  latest: { price: number; session: string },
): AdjustedSeries {
  return closesSeries(
    symbol,
    { sessions: bars.map((b) => b.session), closes: bars.map((b) => b.close), actions },
    latest,
  );
}

/**
 * The adjusted series from closes alone (what analyze reads). Sessions after the current one
 * are left out (the latest price is the present); the current session's close is the price,
 * even when an official bar of that session exists.
 */
export function closesSeries(
  symbol: string,
  history: CloseHistory,
  latest: { price: number; session: string },
): AdjustedSeries {
  const sessions: string[] = [];
  const closes: number[] = [];
  // The reads return sessions ascending; anything else is put in order first.
  for (const i of ascendingOrder(history.sessions)) {
    const session = history.sessions[i] as string;
    if (session >= latest.session) continue;
    const close = history.closes[i] as number;
    // Stryker disable next-line ArrayDeclaration: without actions any equal pair (even none) keeps the close
    const [num, den] = history.actions.length ? factorFor(session, history.actions, latest.session) : [1, 1];
    sessions.push(session);
    // One division by the exact ratio num/den, not by a rounded decimal factor.
    closes.push(num === den ? close : (close * den) / num);
  }
  sessions.push(latest.session);
  closes.push(latest.price);
  const gaps: number[] = [];
  for (let i = 1; i < closes.length; i++) {
    if (Math.abs((closes[i] as number) / (closes[i - 1] as number) - 1) > GAP_THRESHOLD) gaps.push(i);
  }
  return { symbol, sessions, closes, gaps };
}

/** A bar as served by the history API: prices adjusted, `adjusted` when an action applied. */
export interface ServedBar extends RawBar {
  adjusted: boolean;
}

/**
 * Adjust a raw bar for the actions in effect on `asOf` (today): prices divided by the exact
 * ratio and rounded half up to paise, volume multiplied and rounded to whole shares.
 */
export function adjustBar(bar: RawBar, actions: readonly CorporateAction[], asOf: string): ServedBar {
  const [num, den] = factorFor(bar.session, actions, asOf);
  if (num === den) return { ...bar, adjusted: false };
  const price = (rupees: number) => Math.round((Math.round(rupees * 100) * den) / num) / 100;
  return {
    session: bar.session,
    open: price(bar.open),
    high: price(bar.high),
    low: price(bar.low),
    close: price(bar.close),
    volume: bar.volume === null ? null : Math.round((bar.volume * num) / den),
    official: bar.official,
    adjusted: true,
  };
}

const MEASURE_FIELDS = ['change_1d_pct', 'change_7d_pct', 'volatility'] as const;
export type MeasureField = (typeof MEASURE_FIELDS)[number];

/** A derived measure: its value, or null; `gap` when null because its window spans an unadjusted gap. */
export interface Derived {
  value: number | null;
  gap: boolean;
}

export type DerivedMeasures = Record<MeasureField, Derived>;

const round2 = (x: number) => Number(x.toFixed(2));
const sig4 = (x: number) => Number(x.toPrecision(4));
const spans = (gaps: readonly number[], from: number, to: number) => gaps.some((g) => g > from && g <= to);

function measure(value: () => number, gaps: readonly number[], from: number, to: number): Derived {
  if (spans(gaps, from, to)) return { value: null, gap: true };
  return { value: value(), gap: false };
}

const unknown: Derived = { value: null, gap: false };

/**
 * The derived measures of SPEC §11 over an adjusted series (last point = current session):
 * - change_1d_pct = (price / C₁ − 1) × 100, C₁ the close of the session before the current one;
 * - change_7d_pct = (price / C₇ − 1) × 100, C₇ the close of the last session on or before the
 *   current session's date − 7 calendar days;
 * - volatility = sample standard deviation of the last (up to) 20 log returns ending with the
 *   current session, at least 10 needed.
 * Without the history it needs a measure is null; a window that spans a gap is null with `gap`.
 */
export function deriveMeasures(series: AdjustedSeries): DerivedMeasures {
  const { sessions, closes, gaps } = series;
  const last = closes.length - 1;
  const price = closes[last] as number;

  const change1d =
    last >= 1
      ? measure(() => round2((price / (closes[last - 1] as number) - 1) * 100), gaps, last - 1, last)
      : unknown;

  const target = addDays(sessions[last] as string, -7);
  let j = last - 1;
  while (j >= 0 && (sessions[j] as string) > target) j--;
  const change7d =
    j >= 0 ? measure(() => round2((price / (closes[j] as number) - 1) * 100), gaps, j, last) : unknown;

  const count = Math.min(VOLATILITY_RETURNS, last);
  const volatility =
    count >= MIN_VOLATILITY_RETURNS
      ? measure(() => sig4(sampleStdDev(logReturns(closes.slice(last - count)))), gaps, last - count, last)
      : unknown;

  return { change_1d_pct: change1d, change_7d_pct: change7d, volatility };
}

/** ln(closeᵢ / closeᵢ₋₁) of consecutive closes. */
export function logReturns(closes: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < closes.length; i++)
    out.push(Math.log((closes[i] as number) / (closes[i - 1] as number)));
  return out;
}

/** Sample standard deviation (divisor n − 1); n ≥ 2. */
export function sampleStdDev(xs: readonly number[]): number {
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const squares = xs.reduce((s, x) => s + (x - mean) ** 2, 0);
  return Math.sqrt(squares / (xs.length - 1));
}

export type MeasureSource = 'feed' | 'derived' | 'stale_feed' | 'unadjusted_gap' | null;
export type MeasuresSource = Record<MeasureField, MeasureSource>;

/** A measure as the feed last sent it; `current` when the tick that set the price carried it. */
export interface FeedMeasure {
  value: number | null;
  current: boolean;
}

export interface ShownMeasures {
  values: Record<MeasureField, number | null>;
  source: MeasuresSource;
}

/**
 * Which value is shown, per field (SPEC §11): the feed's value sent with the current price; else
 * the derived value; else, when derivation was refused across an unadjusted gap, nothing (an
 * older feed value would hide the gap and advice could be billed across a split); else the last
 * value the feed sent; else null. `derived` null = derivation switched off.
 */
export function showMeasures(
  feed: Record<MeasureField, FeedMeasure>,
  derived: DerivedMeasures | null,
): ShownMeasures {
  const values = {} as Record<MeasureField, number | null>;
  const source = {} as MeasuresSource;
  for (const field of MEASURE_FIELDS) {
    const sent = feed[field];
    const made = derived?.[field] ?? unknown;
    const [value, from]: [number | null, MeasureSource] =
      sent.value !== null && sent.current
        ? [sent.value, 'feed']
        : made.value !== null
          ? [made.value, 'derived']
          : made.gap
            ? [null, 'unadjusted_gap']
            : sent.value !== null
              ? [sent.value, 'stale_feed']
              : [null, null];
    values[field] = value;
    source[field] = from;
  }
  return { values, source };
}

/** What one symbol's measures are made from: its latest price, what the feed sent, its history. */
export interface MeasureInputs {
  symbol: string;
  price: number;
  /** The current session: the IST date of the latest price. */
  session: string;
  feed: Record<MeasureField, FeedMeasure>;
  /** The symbol's recent closes and actions; null when derivation is switched off. */
  history: CloseHistory | null;
}

/** The shown measures of a symbol and, when derivation is on, its adjusted series. */
export function measuresFor(input: MeasureInputs): { shown: ShownMeasures; series: AdjustedSeries | null } {
  const series = input.history
    ? closesSeries(input.symbol, input.history, { price: input.price, session: input.session })
    : null;
  return { shown: showMeasures(input.feed, series ? deriveMeasures(series) : null), series };
}
