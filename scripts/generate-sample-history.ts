/**
 * `npm run generate-sample-history`: writes SAMPLE DATA, not real NSE prices, to
 * data/sample-history/: one UDiFF bhavcopy file (plain CSV, NSE's real header) per weekday
 * session, SESSIONS sessions ending on LAST_SESSION, for every symbol of data/stocks.csv.
 * Every row says "SAMPLE DATA" in the Rmks column. A fixed seed makes the output the same on
 * every run, so the committed files only change when this script or the CSV does.
 *
 * Each symbol's closes are a random walk in log space with the row's `volatility` as the daily
 * standard deviation, pinned so that the measures derived from it (SPEC §11) match the CSV's
 * columns when `npm start`'s seed price lands in a session after LAST_SESSION (it does: see
 * local/seed.ts): the last close is price / (1 + change_1d_pct / 100), and the closes of the
 * sessions 5 and 4 before it (the last sessions on or before "a week before" a Sunday to
 * Monday start) are price / (1 + change_7d_pct / 100). Holidays are ignored: every weekday is
 * a session.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'data/sample-history');
const LAST_SESSION = '2026-12-04'; // a Friday
const SESSIONS = 120;
const SEED = 20261204;

const HEADER =
  'TradDt,BizDt,Sgmt,Src,FinInstrmTp,FinInstrmId,ISIN,TckrSymb,SctySrs,XpryDt,FininstrmActlXpryDt,StrkPric,OptnTp,FinInstrmNm,OpnPric,HghPric,LwPric,ClsPric,LastPric,PrvsClsgPric,UndrlygPric,SttlmPric,OpnIntrst,ChngInOpnIntrst,TtlTradgVol,TtlTrfVal,TtlNbOfTxsExctd,SsnId,NewBrdLotQty,Rmks,Rsvd1,Rsvd2,Rsvd3,Rsvd4';

/** mulberry32: a small, well-known seeded generator; Math.random cannot be seeded. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws (Box-Muller). */
function normal(rand: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** The SESSIONS weekdays ending on LAST_SESSION, oldest first, as YYYY-MM-DD. */
function weekdays(): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${LAST_SESSION}T00:00:00Z`); days.length < SESSIONS; t -= 86_400_000) {
    const day = new Date(t).getUTCDay();
    if (day !== 0 && day !== 6) days.unshift(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

interface Stock {
  symbol: string;
  name: string;
  price: string;
  change_1d_pct: string;
  change_7d_pct: string;
  volatility: string;
  market_cap_cr: string;
}

interface Bar {
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

const paise = (x: number) => Math.max(1, Math.round(x * 100)) / 100;

/** One symbol's bars, oldest first. */
function history(stock: Stock, z: () => number): Bar[] {
  const price = Number(stock.price);
  const sigma = Number(stock.volatility);
  const last = SESSIONS - 1;
  const log = new Array<number>(SESSIONS);
  log[last] = Math.log(price / (1 + Number(stock.change_1d_pct) / 100));
  const week = Math.log(price / (1 + Number(stock.change_7d_pct) / 100));
  log[last - 4] = week;
  // A bridge from the week-ago close to the last one: random steps, shifted to meet both ends.
  const steps = [z(), z(), z(), z()].map((x) => x * sigma);
  const shift = ((log[last] as number) - week - steps.reduce((a, b) => a + b, 0)) / 4;
  for (let i = last - 3; i < last; i++)
    log[i] = (log[i - 1] as number) + (steps[i - (last - 3)] as number) + shift;
  // Before that, a plain random walk backwards; the session before is pinned near the same close.
  log[last - 5] = week + (sigma / 4) * z();
  for (let i = last - 6; i >= 0; i--) log[i] = (log[i + 1] as number) - sigma * z();

  const sharesOut = (Number(stock.market_cap_cr) * 1e7) / price;
  return log.map((l, i) => {
    const close = paise(Math.exp(l));
    const prev = i === 0 ? close : paise(Math.exp(log[i - 1] as number));
    const open = paise(prev * Math.exp(sigma * 0.3 * z()));
    const high = paise(Math.max(open, close) * Math.exp(Math.abs(sigma * 0.5 * z())));
    const low = paise(Math.min(open, close) * Math.exp(-Math.abs(sigma * 0.5 * z())));
    // About 0.1 % of the shares change hands on an ordinary day.
    const volume = Math.max(1, Math.round(sharesOut * 0.001 * Math.exp(0.4 * z())));
    return { open, high: Math.max(high, open, close), low: Math.min(low, open, close), close, volume };
  });
}

function row(session: string, stock: Stock, bar: Bar, prevClose: number): string {
  const cells: Record<string, string> = {
    TradDt: session,
    BizDt: session,
    Sgmt: 'CM',
    Src: 'NSE',
    FinInstrmTp: 'STK',
    TckrSymb: stock.symbol,
    SctySrs: 'EQ',
    // Quoted: names may hold commas.
    FinInstrmNm: `"${stock.name.replaceAll('"', '""')}"`,
    OpnPric: bar.open.toFixed(2),
    HghPric: bar.high.toFixed(2),
    LwPric: bar.low.toFixed(2),
    ClsPric: bar.close.toFixed(2),
    LastPric: bar.close.toFixed(2),
    PrvsClsgPric: prevClose.toFixed(2),
    TtlTradgVol: String(bar.volume),
    SsnId: 'F1',
    NewBrdLotQty: '1',
    Rmks: 'SAMPLE DATA',
  };
  return HEADER.split(',')
    .map((column) => cells[column] ?? '')
    .join(',');
}

const README = `# Sample history — SAMPLE DATA, not real NSE prices

Generated by \`npm run generate-sample-history\` (scripts/generate-sample-history.ts, fixed seed):
one UDiFF bhavcopy file per weekday session, ${SESSIONS} sessions ending on ${LAST_SESSION}, for
every symbol of data/stocks.csv. Each row says \`SAMPLE DATA\` in its \`Rmks\` column.

\`npm start\` imports these files on first start (when no daily bars exist yet), so that the
derived 1-day and 7-day changes and volatility (SPEC §11) show at once. Do not import them into
a database that holds real history. See docs/market-data.md, "Importing history".
`;

/** Write the sample history to `out` (default data/sample-history); returns the number of files. */
export async function generate(out: string = OUT): Promise<number> {
  const stocks = parse(await readFile(join(ROOT, 'data/stocks.csv'), 'utf8'), {
    columns: true,
    skip_empty_lines: true,
    trim: true,
  }) as Stock[];
  const z = normal(random(SEED));
  const bars = new Map(stocks.map((s) => [s.symbol, history(s, z)]));
  await mkdir(out, { recursive: true });
  for (const old of await readdir(out)) {
    if (/^BhavCopy_NSE_CM_.*\.csv$/.test(old)) await rm(join(out, old));
  }
  const sessions = weekdays();
  for (const [i, session] of sessions.entries()) {
    const lines = [HEADER];
    for (const stock of stocks) {
      const series = bars.get(stock.symbol) as Bar[];
      const bar = series[i] as Bar;
      lines.push(row(session, stock, bar, (series[i - 1] ?? bar).close));
    }
    const name = `BhavCopy_NSE_CM_0_0_0_${session.replaceAll('-', '')}_F_0000.csv`;
    await writeFile(join(out, name), `${lines.join('\n')}\n`);
  }
  await writeFile(join(out, 'README.md'), README);
  return sessions.length;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const files = await generate();
  console.log(`wrote ${files} sample bhavcopy files to ${OUT}`);
}
