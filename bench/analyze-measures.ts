/**
 * Child process of bench/analyze.ts: analyze's requests/s with one feature switch on and off,
 * side by side in one process and one build. `BENCH_SWITCH` names it: DERIVED_MEASURES (issue
 * 17 item 9; portfolio risk off in both modes, so the history read is the measures' 20 bars) or
 * PORTFOLIO_RISK (issue 18; derived measures on in both, so "off" reads 20 bars and derives the
 * measures, "on" reads RISK_HISTORY_SESSIONS and computes risk too). It seeds `BENCH_DB_URL` (a
 * scratch database) with 500 symbols × ~120 sessions of bars and price-only latest prices, then
 * runs the real handler in-process with `CONNECTIONS` concurrent callers (one user each), in
 * `BENCH_MEASURES_ROUNDS` (default 8) alternating pairs of rounds of `BENCH_MEASURES_SECONDS`
 * (default 1.5) with the switch on and off, so drift on a shared machine hits both alike.
 * Prints one JSON line: the median req/s of each and the median of the pairs' ratios.
 */
import postgres from 'postgres';
import { apiEvent, lambdaContext } from '../local/lambda';
import { printResult } from './child';
import { benchHandlerEnv } from './handler-env';
import { median } from './stats';

const target = process.env.BENCH_DB_URL;
if (!target) throw new Error('BENCH_DB_URL is required');
const SECONDS = Number(process.env.BENCH_MEASURES_SECONDS ?? 1.5);
const ROUNDS = Number(process.env.BENCH_MEASURES_ROUNDS ?? 8);
const SWITCH = process.env.BENCH_SWITCH ?? 'DERIVED_MEASURES';
if (SWITCH !== 'DERIVED_MEASURES' && SWITCH !== 'PORTFOLIO_RISK') {
  throw new Error(`BENCH_SWITCH must be DERIVED_MEASURES or PORTFOLIO_RISK, not ${SWITCH}`);
}
/** The other switch, held on (risk bench) or off (measures bench) in both modes. */
const FIXED: Record<string, string> =
  SWITCH === 'PORTFOLIO_RISK' ? { DERIVED_MEASURES: 'on' } : { PORTFOLIO_RISK: 'off' };
const CONNECTIONS = 8;
const SYMBOLS = 20;
/** Symbols with history in the database; the portfolio holds SYMBOLS of them. */
const MARKET = 500;

const seed = postgres(target, { max: 1, onnotice: () => {} });
// Weekday sessions of the last 170 days up to yesterday in IST (~120) for MARKET symbols, day by
// day as the daily imports write them (so one symbol's bars lie on many pages, as in production),
// closes wandering within ±1 % (a calm large cap: about 0.3 % daily volatility), so that no
// measure-based rule fires and both modes bill the same advice: the difference is the derivation.
const symbol = (g: string) => `'BM' || lpad(${g}::text, 4, '0')`;
await seed.unsafe(`
  INSERT INTO daily_bars (symbol, session, open, high, low, close, volume, official)
  SELECT ${symbol('g')}, d::date, c, c, c, c, 100000, true
  FROM generate_series((now() AT TIME ZONE 'Asia/Kolkata')::date - 170,
                       (now() AT TIME ZONE 'Asia/Kolkata')::date - 1, interval '1 day') d
  CROSS JOIN generate_series(1, ${MARKET}) g
  CROSS JOIN LATERAL (SELECT round((100 + g) * (1 + 0.01 * sin(extract(doy FROM d) * 0.3 + g))::numeric, 2) AS c) x
  WHERE extract(isodow FROM d) < 6
  ON CONFLICT DO NOTHING`);
await seed.unsafe(`
  INSERT INTO latest_prices (symbol, price, ts, sequence_number, price_v, name, sector)
  SELECT ${symbol('g')}, 100 + g, now(), '1', '1', 'Bench ' || g, 'Sector ' || (g % 5)
  FROM generate_series(1, ${MARKET}) g
  ON CONFLICT (symbol) DO NOTHING`);
// As autovacuum leaves a table that is written once a day: visibility map set, statistics fresh.
await seed.unsafe('VACUUM ANALYZE daily_bars, latest_prices');
await seed.end();

const signToken = await benchHandlerEnv({
  DATABASE_URL: target,
  DB_MAX_CONNECTIONS: String(CONNECTIONS),
  ...FIXED,
});
const { handler } = await import('../functions/analyze');
const { measuresConfig, riskConfig } = await import('../functions/analysis/config');
const { closeDb } = await import('../functions/platform/db');

const body = {
  portfolio: Array.from({ length: SYMBOLS }, (_, i) => ({
    symbol: `BM${String(i * 23 + 1).padStart(4, '0')}`,
    quantity: 10 + i,
  })),
};
const tokens = await Promise.all(Array.from({ length: CONNECTIONS }, (_, i) => signToken(`measures-${i}`)));
async function once(token: string): Promise<void> {
  const res = await handler(apiEvent({ method: 'POST', path: '/api/analyze', token, body }), lambdaContext());
  if (res.statusCode !== 200) throw new Error(`analyze answered ${res.statusCode}: ${res.body}`);
}

/** Requests per second over one round with the switch `mode`. */
async function round(mode: 'on' | 'off'): Promise<number> {
  process.env[SWITCH] = mode;
  measuresConfig.reset();
  riskConfig.reset();
  for (const token of tokens) await once(token); // warm: users exist, statements prepared
  const started = performance.now();
  const until = started + SECONDS * 1000;
  let done = 0;
  await Promise.all(
    tokens.map(async (token) => {
      while (performance.now() < until) {
        await once(token);
        done++;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

// Load from other processes comes and goes: many short alternating pairs, and the median of
// the pairs' ratios, resist it better than one long run of each.
const ratios: number[] = [];
const rates = { on: [] as number[], off: [] as number[] };
for (let r = 0; r < ROUNDS; r++) {
  // Alternate which goes first, so neither always runs on a warmer cache.
  const pair: Record<string, number> = {};
  for (const mode of r % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
    pair[mode] = await round(mode);
    rates[mode].push(pair[mode] as number);
  }
  ratios.push((pair.on as number) / (pair.off as number));
}
await closeDb();
printResult({
  switch: SWITCH,
  on: median(rates.on),
  off: median(rates.off),
  ratio: median(ratios),
  min_ratio: Math.min(...ratios),
  max_ratio: Math.max(...ratios),
  holdings: SYMBOLS,
  connections: CONNECTIONS,
  seconds: SECONDS,
  rounds: ROUNDS,
});
