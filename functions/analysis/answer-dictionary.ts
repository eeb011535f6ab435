/**
 * The preset dictionaries of the stored answer (stored-answer.ts, migrations/0013). A stored answer
 * is a few kilobytes of JSON whose structure is the same every time: the same keys in the same
 * order, the disclaimer, the advice texts, NSE's sector names. Deflate alone has nothing to refer
 * back to in a document this small; primed with a dictionary of that structure it spends its bits
 * on what differs (the numbers), which halves the compressed answer (docs/performance.md).
 *
 * FROZEN like a landed migration: a stored answer names its dictionary by number and can only be
 * inflated with exactly the bytes it was deflated with (a test pins each one's SHA-256). A better
 * dictionary is a new entry with the next number; old answers keep theirs.
 *
 * The content is a made-up analysis of real NSE names and sectors (data/stocks.csv) with every rule's
 * text, never the bench's fixture, so the bench measures what a real answer gets. Deflate finds
 * the nearest match cheapest, so the most common parts come last.
 */

const SECTORS = [
  'Telecommunication',
  'Construction',
  'Capital Goods',
  'Construction Materials',
  'Consumer Durables',
  'Consumer Services',
  'Power',
  'Services',
  'Metals & Mining',
  'Oil Gas & Consumable Fuels',
  'Fast Moving Consumer Goods',
  'Automobile and Auto Components',
  'Healthcare',
  'Information Technology',
  'Financial Services',
];

const ADVICE = [
  '{"symbol":"PORTFOLIO","action":"diversify","rule":"diversification","message":"All your analyzed holdings are in 1 sector (Healthcare), fewer than 3; consider diversifying across sectors."}',
  '{"symbol":"TITAN","action":"buy","rule":"underweight_momentum","message":"TITAN is only 4.12% of your portfolio but gained 6.25% over the last 7 days (above 5%); consider buying more."}',
  '{"symbol":"MARUTI","action":"hold_or_buy","rule":"strong_growth","message":"MARUTI gained 10.41% over the last 7 days, at or above the 10% strong-growth threshold; consider holding or adding to it."}',
  '{"symbol":"TATASTEEL","action":"caution","rule":"high_volatility","message":"TATASTEEL has a daily volatility of 4.4%, above the 4% limit; size this position with caution."}',
  '{"symbol":"ADANIENT","action":"reduce","rule":"sharp_drop","message":"ADANIENT moved -7.82% over the last 7 days, at or below the -5% sharp-drop threshold; consider reducing it."}',
  '{"symbol":"HINDUNILVR","action":"reduce","rule":"concentration","message":"HINDUNILVR is 53.07% of your portfolio, above the 50% concentration limit; consider reducing it."}',
];

const DISCLAIMER =
  'This analysis is rule-based and educational only. It is not personalised investment advice, ' +
  'and this service is not a SEBI-registered investment adviser or research analyst. ' +
  'Consider consulting a SEBI-registered adviser before making investment decisions.';

const V1 = [
  `"sectors":{${SECTORS.map((s, i) => `"${s}":0.${(i + 11) * 3}`).join(',')}},`,
  '"unknown_symbols":["XYZ"],"measures_source":{"change_1d_pct":"derived","change_7d_pct":"stale_feed","volatility":"unadjusted_gap"},',
  `"advice":[${ADVICE.join(',')}],`,
  '{"symbol":"SBIN","name":"State Bank of India","sector":"Financial Services","quantity":15,"price":812.35,"stock_value":12185.25,"weight":0.1875,"change_1d_pct":-0.42,"change_7d_pct":1.13,"volatility":0.0153,"price_ts":"2026-01-05T09:15:00.000Z","risk_contribution_pct":12.58,"measures_source":{"change_1d_pct":"derived","change_7d_pct":"derived","volatility":"derived"}},',
  '{"symbol":"ICICIBANK","name":"ICICI Bank Ltd","sector":"Financial Services","quantity":40,"price":1265.9,"stock_value":50636,"weight":0.3342,"change_1d_pct":0.61,"change_7d_pct":-2.07,"volatility":0.0118,"price_ts":"2026-01-05T09:15:00.000Z","risk_contribution_pct":35.1,"measures_source":{"change_1d_pct":"feed","change_7d_pct":"feed","volatility":"feed"}}],',
  '"risk":{"sessions":60,"annualised_volatility":0.1428,"max_drawdown_pct":7.31,"effective_holdings":3.46,"largest_sector_weight":0.42,"value_series":{"g":[20460,1,1,1,3,1,1,1,1,3,1,1],"p":[14133750,-74025,120550,-35210,98015]}}},',
  '[[{"symbol":"HDFCBANK","quantity":25},{"symbol":"INFY","quantity":12},{"symbol":"RELIANCE","quantity":30}],',
  `{"analysis_id":"","portfolio_value":151512.75,"prices_as_of":"2026-01-05T09:15:00.000Z","advice":[],"details":{"per_stock":[`,
  `"unknown_symbols":[],"billing":{"currency":"INR","charged":5,"breakdown":{"portfolio_analysis":5,"advice_items":0,"price_per_advice":2,"advice_cost":0}},"disclaimer":"${DISCLAIMER}"}]`,
].join('');

/** Number → dictionary. Append only; never edit an entry. */
export const ANSWER_DICTIONARIES: ReadonlyMap<number, Buffer> = new Map([[1, Buffer.from(V1, 'utf8')]]);

/** The dictionary new answers are stored with. */
export const CURRENT_DICTIONARY = 1;
