/**
 * GENERATED from docs/openapi.json by `npm run api-types` (json-schema-to-typescript): do not edit.
 * `npm test` fails when this file is not what the document generates.
 */

/**
 * This interface was referenced by `ApiDocument`'s JSON-Schema
 * via the `definition` "ReconciliationRun".
 */
export interface ReconciliationRun {
  /**
   * The IST calendar day checked.
   */
  date: string;
  run_id: string;
  /**
   * `paused` (out of time) and `failed` (Flexprice or the database failed; see `error`) resume on the next run.
   */
  state: 'running' | 'paused' | 'failed' | 'finished';
  /**
   * Set when finished: `matched` (Flexprice holds exactly our events), `resent` (events queued again or on their way; the next run checks them), `drift` (unknown events, other quantities, or events still missing after their resend: an operator acts).
   */
  status: 'matched' | 'resent' | 'drift' | null;
  started_at: string;
  updated_at: string;
  finished_at: string | null;
  invocations: number;
  customers_checked: number;
  events_matched: number;
  /**
   * Queued again through the outbox by this run.
   */
  events_resent: number;
  /**
   * Missing at Flexprice but still on their way (not yet sent, or sent minutes ago).
   */
  events_pending: number;
  /**
   * Missing although their resend was accepted, or dead-lettered.
   */
  events_still_missing: number;
  /**
   * At Flexprice but not in our ledger: reported, never deleted.
   */
  events_unknown: number;
  quantity_mismatches: number;
  /**
   * Events of our id shape that Flexprice holds and our ledger lacked, recorded as analyses restored from billing records (asked for with `adopt_unknown` after a restore; see docs/operations.md). 0 otherwise.
   */
  events_adopted: number;
  /**
   * @maxItems 100
   */
  findings: {
    kind: 'resent' | 'still_missing' | 'unknown' | 'quantity_mismatch';
    event_id: string;
    customer: string;
    feature: string;
    /**
     * Ours (null: not in our ledger).
     */
    quantity: number | null;
    /**
     * Flexprice's (null: Flexprice lacks it).
     */
    provider_quantity: number | null;
    timestamp: string | null;
  }[];
  /**
   * The last failure (no key or URL).
   */
  error: string | null;
}
/**
 * RFC 9457 problem details.
 *
 * This interface was referenced by `ApiDocument`'s JSON-Schema
 * via the `definition` "Problem".
 */
export interface Problem {
  /**
   * A URI reference naming the problem type, e.g. `/problems/validation-error`.
   */
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  /**
   * For validation errors: the failing fields, e.g. `portfolio[3].quantity`.
   */
  errors?: {
    field: string;
    message: string;
  }[];
}
/**
 * This interface was referenced by `ApiDocument`'s JSON-Schema
 * via the `definition` "AnalyzeRequest".
 */
export interface AnalyzeRequest {
  /**
   * Holdings; a symbol given twice is one holding with the quantities summed, and the sum is held to the same maximum (1,000,000,000).
   *
   * @minItems 1
   * @maxItems 100
   */
  portfolio: {
    /**
     * NSE symbol: ASCII only (`ınfy`, `ß` are refused, not folded); trimmed and upper-cased, then ^[A-Z0-9][A-Z0-9&_-]{0,19}$.
     */
    symbol: string;
    quantity: number;
  }[];
}
/**
 * This interface was referenced by `ApiDocument`'s JSON-Schema
 * via the `definition` "AdviceItem".
 */
export interface AdviceItem {
  /**
   * The holding, or `PORTFOLIO` for portfolio-wide rules.
   */
  symbol: string;
  action: 'reduce' | 'hold_or_buy' | 'caution' | 'buy' | 'diversify';
  rule:
    | 'concentration'
    | 'sharp_drop'
    | 'strong_growth'
    | 'high_volatility'
    | 'underweight_momentum'
    | 'diversification';
  /**
   * One plain-English sentence with the numbers that made the rule fire.
   */
  message: string;
}
/**
 * This interface was referenced by `ApiDocument`'s JSON-Schema
 * via the `definition` "PerStock".
 */
export interface PerStock {
  /**
   * NSE symbol, upper-case (requests are trimmed and upper-cased first).
   */
  symbol: string;
  name: string | null;
  sector: string | null;
  quantity: number;
  /**
   * Latest price, INR, at most 2 decimals.
   */
  price: number;
  /**
   * quantity × price, INR, at most 2 decimals.
   */
  stock_value: number;
  /**
   * stock_value / portfolio_value, rounded to 4 decimals for display (rules compare exactly).
   */
  weight: number;
  change_1d_pct: number | null;
  change_7d_pct: number | null;
  /**
   * Daily volatility as a fraction (0.015 = 1.5 %).
   */
  volatility: number | null;
  price_ts: string;
  /**
   * This holding's share of the portfolio's variance in percent (SPEC §12: wᵢ(Σw)ᵢ / wᵀΣw × 100; the shares add up to 100 before rounding), 2 decimals; null when `details.risk` has too little history. Absent from analyses stored before risk existed.
   */
  risk_contribution_pct?: number | null;
  measures_source?: MeasuresSource;
}
/**
 * Where each measure came from. Absent in analyses stored before it existed.
 */
export interface MeasuresSource {
  change_1d_pct: 'feed' | 'derived' | 'stale_feed' | 'unadjusted_gap' | null;
  change_7d_pct: 'feed' | 'derived' | 'stale_feed' | 'unadjusted_gap' | null;
  volatility: 'feed' | 'derived' | 'stale_feed' | 'unadjusted_gap' | null;
}
/**
 * Portfolio risk (SPEC §12), unbilled, from the adjusted daily closes (SPEC §11) of the last up to 60 sessions in which every known holding has a close (the current session's close is the latest price); returns are taken between consecutive common sessions. With fewer than 20 returns, or when the window spans an unadjusted gap, the history measures and every `per_stock[].risk_contribution_pct` are null. Absent from analyses stored before it existed.
 *
 * This interface was referenced by `ApiDocument`'s JSON-Schema
 * via the `definition` "Risk".
 */
export interface Risk {
  /**
   * The number of common sessions used, also when there are too few for the measures.
   */
  sessions: number;
  /**
   * Sample standard deviation of the portfolio's daily log returns × √252, as a fraction (0.2345 = 23.45 % a year), 4 significant digits; the portfolio's value on a session is Σ quantity × close with today's quantities.
   */
  annualised_volatility: number | null;
  /**
   * The largest fall from a running peak to a later trough of the value series, in percent and positive (10.03 = a 10.03 % fall), 2 decimals.
   */
  max_drawdown_pct: number | null;
  /**
   * 1 / Σ wᵢ² over today's weights, 2 decimals (4 equal holdings → 4).
   */
  effective_holdings: number;
  /**
   * The biggest sector weight, a fraction, 2 decimals.
   */
  largest_sector_weight: number;
  /**
   * The portfolio's value on each common session, oldest first (the web app charts it).
   *
   * @maxItems 60
   */
  value_series: {
    /**
     * Trading session, YYYY-MM-DD (IST).
     */
    session: string;
    /**
     * Σ quantity × adjusted close, INR, 2 decimals.
     */
    value: number;
  }[];
}
/**
 * This interface was referenced by `ApiDocument`'s JSON-Schema
 * via the `definition` "AnalyzeResponse".
 */
export interface AnalyzeResponse {
  analysis_id: string;
  /**
   * Value of the known holdings, INR, at most 2 decimals; at most 9,999,999,999,999.99 (15 significant digits: exact as a JSON number).
   */
  portfolio_value: number;
  /**
   * The oldest price time used.
   */
  prices_as_of: string;
  /**
   * Holdings in request order, rules in table order, portfolio rules last. Every item is billed.
   */
  advice: AdviceItem[];
  details: {
    per_stock: PerStock[];
    /**
     * Sector → weight (4 decimals); holdings with no known sector under `Unclassified`.
     */
    sectors: {
      [k: string]: number;
    };
    risk?: Risk;
  };
  unknown_symbols: string[];
  billing: {
    currency: 'INR';
    /**
     * Total charged for this analysis, INR, at most 2 decimals.
     */
    charged: number;
    breakdown: {
      /**
       * Price of the analysis, INR, at most 2 decimals.
       */
      portfolio_analysis: number;
      advice_items: number;
      /**
       * Price per advice item, INR, at most 2 decimals.
       */
      price_per_advice: number;
      /**
       * advice_items × price_per_advice, INR, at most 2 decimals.
       */
      advice_cost: number;
    };
  };
  /**
   * Rule-based, educational, not personalised investment advice; not a SEBI-registered adviser.
   */
  disclaimer: string;
  /**
   * The caller's all-time totals, this analysis included.
   */
  usage: {
    portfolios_analyzed_total: number;
    advice_generated_total: number;
  };
  /**
   * Present when an API key made the analysis: that key's id.
   */
  api_key_id?: string;
}
/**
 * This interface was referenced by `ApiDocument`'s JSON-Schema
 * via the `definition` "Usage".
 */
export interface Usage {
  scope: 'user' | 'global';
  /**
   * All time.
   */
  portfolios_analyzed_total: number;
  /**
   * All time.
   */
  advice_generated_total: number;
  current_period: {
    period: string;
    portfolios_analyzed_total: number;
    advice_generated_total: number;
  };
  /**
   * Totals of the `from`/`to` window; null when neither is given.
   */
  window: null | {
    from: string | null;
    to: string | null;
    portfolios_analyzed_total: number;
    advice_generated_total: number;
  };
}
/**
 * This interface was referenced by `ApiDocument`'s JSON-Schema
 * via the `definition` "Bill".
 */
export interface Bill {
  period: string;
  period_start: string;
  period_end: string;
  /**
   * `open` while the month runs, `closed` after; once the month's invoice exists, the invoice's status.
   */
  status: 'open' | 'closed' | 'issued' | 'overdue' | 'paid';
  /**
   * period_end + 3 days.
   */
  due_date: string;
  currency: 'INR';
  line_items: {
    feature: 'portfolio_analysis' | 'advice_generation';
    description: string;
    quantity: number;
    /**
     * Unit price snapshotted when charged, INR, at most 2 decimals.
     */
    unit_price: number;
    /**
     * quantity × unit_price, INR, at most 2 decimals.
     */
    amount: number;
  }[];
  /**
   * Sum of the line amounts, INR, at most 2 decimals.
   */
  subtotal: number;
  /**
   * Present once the month's invoice is issued (see GET /api/billing/invoices/{id}).
   */
  invoice?: {
    id: string;
    number: string;
    late_fee: number;
    total: number;
  };
}
/**
 * This interface was referenced by `ApiDocument`'s JSON-Schema
 * via the `definition` "InvoiceSummary".
 */
export interface InvoiceSummary {
  id: string;
  /**
   * `SC-<YYYY>-<MM>-<n>`, n counting that month's invoices from 1; fixed at issue.
   */
  number: string;
  period: string;
  /**
   * `issued` at month close; `overdue` from 00:00 IST the day after `due_date` if unpaid; `paid` once an admin records the payment.
   */
  status: 'issued' | 'overdue' | 'paid';
  currency: 'INR';
  /**
   * Sum of the usage lines, INR, at most 2 decimals.
   */
  subtotal: number;
  /**
   * 0, or 2.5 % of the subtotal rounded half up to whole paise once overdue.
   */
  late_fee: number;
  /**
   * subtotal + late_fee.
   */
  total: number;
  issued_at: string;
  /**
   * Last day of the month + 3 days; payable through the end of this day (IST).
   */
  due_date: string;
  overdue_at: string | null;
  paid_at: string | null;
  payment_reference: string | null;
}
/**
 * This interface was referenced by `ApiDocument`'s JSON-Schema
 * via the `definition` "InvoiceList".
 */
export interface InvoiceList {
  invoices: InvoiceSummary[];
}
/**
 * This interface was referenced by `ApiDocument`'s JSON-Schema
 * via the `definition` "Invoice".
 */
export interface Invoice {
  id: string;
  /**
   * `SC-<YYYY>-<MM>-<n>`, n counting that month's invoices from 1; fixed at issue.
   */
  number: string;
  period: string;
  /**
   * `issued` at month close; `overdue` from 00:00 IST the day after `due_date` if unpaid; `paid` once an admin records the payment.
   */
  status: 'issued' | 'overdue' | 'paid';
  currency: 'INR';
  /**
   * Sum of the usage lines, INR, at most 2 decimals.
   */
  subtotal: number;
  /**
   * 0, or 2.5 % of the subtotal rounded half up to whole paise once overdue.
   */
  late_fee: number;
  /**
   * subtotal + late_fee.
   */
  total: number;
  issued_at: string;
  /**
   * Last day of the month + 3 days; payable through the end of this day (IST).
   */
  due_date: string;
  overdue_at: string | null;
  paid_at: string | null;
  payment_reference: string | null;
  period_start: string;
  period_end: string;
  lines: {
    kind: 'usage' | 'late_fee';
    feature: 'portfolio_analysis' | 'advice_generation' | 'late_fee';
    description: string;
    quantity: number;
    /**
     * Snapshotted unit price (usage) or the fee (late_fee), INR, at most 2 decimals.
     */
    unit_price: number;
    /**
     * quantity × unit_price, INR, at most 2 decimals.
     */
    amount: number;
  }[];
}
/**
 * This interface was referenced by `ApiDocument`'s JSON-Schema
 * via the `definition` "PaymentRequest".
 */
export interface PaymentRequest {
  /**
   * The payment's reference (e.g. a UPI/NEFT UTR), printable ASCII, no leading or trailing spaces.
   */
  reference: string;
  /**
   * When it was paid, with an offset; default now; not before the invoice was issued, at most 5 minutes in the future.
   */
  paid_at?: string;
}
/**
 * This interface was referenced by `ApiDocument`'s JSON-Schema
 * via the `definition` "MarketRow".
 */
export interface MarketRow {
  /**
   * NSE symbol, upper-case (requests are trimmed and upper-cased first).
   */
  symbol: string;
  price: number;
  name: string | null;
  sector: string | null;
  /**
   * Percent, 2 decimals: the feed's value sent with this price, else derived from daily history (see measures_source).
   */
  change_1d_pct: number | null;
  /**
   * Percent, 2 decimals: the feed's value sent with this price, else derived from daily history (see measures_source).
   */
  change_7d_pct: number | null;
  /**
   * Daily volatility as a fraction (0.015 = 1.5 %), 4 significant digits: the feed's value sent with this price, else derived (see measures_source).
   */
  volatility: number | null;
  market_cap_cr: number | null;
  /**
   * Shares traded in the current session so far, as the feed last sent it.
   */
  volume: number | null;
  ts: string;
  measures_source: MeasuresSource1;
}
/**
 * Where each shown measure came from (SPEC §11): `feed` = sent by the feed with the current price; `derived` = computed from daily history (adjusted for splits and bonuses); `stale_feed` = the last value the feed sent, with an older price; `unadjusted_gap` = null because its window spans an unexplained close-to-close move of more than 40 % (a split nobody imported); null = unknown. See docs/market-data.md.
 *
 * This interface was referenced by `ApiDocument`'s JSON-Schema
 * via the `definition` "MeasuresSource".
 */
export interface MeasuresSource1 {
  change_1d_pct: 'feed' | 'derived' | 'stale_feed' | 'unadjusted_gap' | null;
  change_7d_pct: 'feed' | 'derived' | 'stale_feed' | 'unadjusted_gap' | null;
  volatility: 'feed' | 'derived' | 'stale_feed' | 'unadjusted_gap' | null;
}
/**
 * This interface was referenced by `ApiDocument`'s JSON-Schema
 * via the `definition` "MarketBar".
 */
export interface MarketBar {
  /**
   * The IST trading date.
   */
  session: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number | null;
  /**
   * From NSE's bhavcopy (end-of-day file), not built from ticks.
   */
  official: boolean;
  /**
   * Prices divided (volume multiplied) for a split or bonus whose ex-date is after this session.
   */
  adjusted: boolean;
}
/**
 * This interface was referenced by `ApiDocument`'s JSON-Schema
 * via the `definition` "MarketHistory".
 */
export interface MarketHistory {
  symbol: string;
  /**
   * Oldest first.
   */
  bars: MarketBar[];
}
/**
 * This interface was referenced by `ApiDocument`'s JSON-Schema
 * via the `definition` "Health".
 */
export interface Health {
  status: 'ok' | 'degraded';
  database: 'ok';
  prices: {
    count: number;
    newest_ts: string | null;
    /**
     * NSE's regular session (09:15–15:30 IST, Monday to Friday, except the exchange's trading holidays): `open`, `closed`, or `unknown_calendar` when the holiday list (data/nse-holidays.json) lacks this year and it is a weekday in trading hours; staleness is then counted as if open.
     */
    market: 'open' | 'closed' | 'unknown_calendar';
    /**
     * Symbols with no tick for 15 minutes of trading time; `null` when the market is closed (silence is normal then). Any stale symbol makes the status `degraded`.
     */
    stale: number | null;
  };
  /**
   * Symbols (up to 100, sorted) whose daily bars of the last 60 days move more than 40 % from one session's close to the next with no split or bonus imported for that ex-date window (SPEC §11): their derived measures are `null` until the corporate action is imported. Any makes the status `degraded`.
   *
   * @maxItems 100
   */
  history_gaps: string[];
  /**
   * Billing-provider (Flexprice) sync: off without an API key; else the outbox backlog. `dead` rows need an operator (docs/billing.md) and make the status `degraded`.
   */
  billing_sync:
    | {
        enabled: false;
      }
    | {
        enabled: true;
        pending: number;
        dead: number;
        oldest_pending_age_seconds: number | null;
      };
}
/**
 * This interface was referenced by `ApiDocument`'s JSON-Schema
 * via the `definition` "HealthUnavailable".
 */
export interface HealthUnavailable {
  status: string;
  database: 'unreachable';
}
/**
 * This interface was referenced by `ApiDocument`'s JSON-Schema
 * via the `definition` "ApiKey".
 */
export interface ApiKey {
  id: string;
  name: string;
  /**
   * The first 8 characters after `sck_`.
   */
  prefix: string;
  created_at: string;
  /**
   * Updated at most once a minute.
   */
  last_used_at: string | null;
  revoked_at: string | null;
}
/**
 * This interface was referenced by `ApiDocument`'s JSON-Schema
 * via the `definition` "NewApiKey".
 */
export interface NewApiKey {
  id: string;
  name: string;
  /**
   * The secret: shown this once, stored only as its SHA-256.
   */
  key: string;
  prefix: string;
  created_at: string;
}
/**
 * This interface was referenced by `ApiDocument`'s JSON-Schema
 * via the `definition` "ApiKeyList".
 */
export interface ApiKeyList {
  /**
   * Newest first, revoked keys included (at most 100).
   *
   * @maxItems 100
   */
  keys: ApiKey[];
}
/**
 * This interface was referenced by `ApiDocument`'s JSON-Schema
 * via the `definition` "CreateKeyRequest".
 */
export interface CreateKeyRequest {
  /**
   * 1-100 characters (trimmed), no control characters.
   */
  name: string;
}
/**
 * This interface was referenced by `ApiDocument`'s JSON-Schema
 * via the `definition` "AnalysisSummary".
 */
export interface AnalysisSummary {
  analysis_id: string;
  created_at: string;
  /**
   * INR, at most 2 decimals.
   */
  portfolio_value: number;
  /**
   * The holdings as analyzed (normalized, repeated symbols summed, unknown ones included).
   */
  holdings: {
    symbol: string;
    quantity: number;
  }[];
  advice_count: number;
  /**
   * INR charged for it.
   */
  charged: number;
  /**
   * Present (true) for an analysis lost in a database restore and recorded again from the billing provider's records: it was answered and billed, but its holdings and advice are no longer kept (`holdings` is empty, `portfolio_value` 0). See docs/operations.md.
   */
  restored_from_billing?: true;
}
/**
 * This interface was referenced by `ApiDocument`'s JSON-Schema
 * via the `definition` "AnalysisPage".
 */
export interface AnalysisPage {
  /**
   * @maxItems 100
   */
  items: AnalysisSummary[];
  /**
   * Pass as `cursor` for the next (older) page; null on the last page.
   */
  next_cursor: string | null;
}
/**
 * This interface was referenced by `ApiDocument`'s JSON-Schema
 * via the `definition` "RuleSetting".
 */
export interface RuleSetting {
  id:
    | 'concentration'
    | 'sharp_drop'
    | 'strong_growth'
    | 'high_volatility'
    | 'underweight_momentum'
    | 'diversification';
  title: string;
  enabled: boolean;
  threshold: number;
  /**
   * The configured default (ADVICE_* settings).
   */
  default_threshold: number;
  min: number;
  max: number;
  description: string;
}
/**
 * This interface was referenced by `ApiDocument`'s JSON-Schema
 * via the `definition` "RuleSettings".
 */
export interface RuleSettings {
  rule_set: 'v1';
  /**
   * @minItems 6
   * @maxItems 6
   */
  rules: RuleSetting[];
}
/**
 * This interface was referenced by `ApiDocument`'s JSON-Schema
 * via the `definition` "RuleSettingsUpdate".
 */
export interface RuleSettingsUpdate {
  /**
   * @minItems 1
   * @maxItems 6
   */
  rules: {
    id: string;
    enabled?: boolean;
    /**
     * Within [min, max] of the rule; null returns it to the default.
     */
    threshold?: number | null;
  }[];
}
