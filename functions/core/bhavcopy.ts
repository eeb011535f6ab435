/**
 * NSE's daily equity bhavcopy (SPEC §11) → official daily bars. Both formats NSE has published:
 * UDiFF (from July 2024: `TradDt`, `TckrSymb`, `SctySrs`, `OpnPric`, …) and legacy (`SYMBOL`,
 * `SERIES`, `OPEN`, …, `TIMESTAMP` as DD-MON-YYYY). Columns are found by header name, so NSE
 * adding or moving a column changes nothing. Pure: bytes in, bars and a report out.
 */
import { columnIndex, fileRecords } from './csv';
import { formatPaise, toPaise } from './money';
import { MAX_PRICE, SYMBOL_PATTERN } from './ticks';

/** A file whose header matches neither NSE format (or that is no readable CSV at all). */
export class NotABhavcopyError extends Error {
  override name = 'NotABhavcopyError';
}

export type BhavcopyFormat = 'udiff' | 'legacy';

/** The series imported: EQ (rolling settlement) and BE (trade-for-trade). Others are skipped. */
const IMPORTED_SERIES = new Set(['EQ', 'BE']);

const ROLES = ['session', 'symbol', 'series', 'open', 'high', 'low', 'close', 'volume'] as const;
type Role = (typeof ROLES)[number];
/** The columns read, by role, under each format's header names. */
const COLUMNS: Record<BhavcopyFormat, Record<Role, string>> = {
  udiff: {
    session: 'TradDt',
    symbol: 'TckrSymb',
    series: 'SctySrs',
    open: 'OpnPric',
    high: 'HghPric',
    low: 'LwPric',
    close: 'ClsPric',
    volume: 'TtlTradgVol',
  },
  legacy: {
    session: 'TIMESTAMP',
    symbol: 'SYMBOL',
    series: 'SERIES',
    open: 'OPEN',
    high: 'HIGH',
    low: 'LOW',
    close: 'CLOSE',
    volume: 'TOTTRDQTY',
  },
};

export interface OfficialBar {
  symbol: string;
  /** YYYY-MM-DD. */
  session: string;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: number | null;
  line: number;
}

export interface ParsedBhavcopy {
  format: BhavcopyFormat;
  /** The session of the file's bars; null when it has none or several. */
  session: string | null;
  bars: OfficialBar[];
  skippedBySeries: Record<string, number>;
  bad: { line: number; reason: string }[];
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

/** "2026-12-04" (UDiFF) or "4-DEC-2026" / "04-Dec-2026" (legacy) → "2026-12-04", or null. */
export function sessionDate(text: string, format: BhavcopyFormat): string | null {
  let y: number;
  let m: number;
  let d: number;
  if (format === 'udiff') {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
    if (!match) return null;
    [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  } else {
    const match = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/.exec(text);
    if (!match) return null;
    [d, m, y] = [Number(match[1]), MONTHS.indexOf((match[2] as string).toUpperCase()) + 1, Number(match[3])];
  }
  const date = new Date(Date.UTC(y, m - 1, d));
  // Rejects 2026-02-30 and month 0 (an unknown month name), which Date would roll over.
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return date.toISOString().slice(0, 10);
}

/** A price cell → paise, or a reason it is not a usable price. */
function price(text: string | undefined, column: string): bigint | string {
  if (!text) return `${column} is missing`;
  if (!/^\d+(\.\d+)?$/.test(text)) return `${column} "${text}" is not a price`;
  const paise = toPaise(text);
  if (paise <= 0n) return `${column} must be positive`;
  if (paise > BigInt(MAX_PRICE) * 100n) return `${column} ${text} is above ${MAX_PRICE}`;
  return paise;
}

/** Parse a bhavcopy file (plain CSV or zipped); throws NotABhavcopyError when it is none. */
export function parseBhavcopy(bytes: Uint8Array): ParsedBhavcopy {
  const records = fileRecords(bytes, (message) => new NotABhavcopyError(message));
  const [header, ...rows] = records;
  const format = (['udiff', 'legacy'] as const).find(
    (f) => header && columnIndex(header.cells, Object.values(COLUMNS[f])),
  );
  if (!format || !header) {
    const needs = (f: BhavcopyFormat) => Object.values(COLUMNS[f]).join(', ');
    throw new NotABhavcopyError(
      `its header matches neither NSE bhavcopy format (UDiFF needs ${needs('udiff')}; legacy needs ${needs('legacy')})`,
    );
  }
  const name = COLUMNS[format];
  const col = Object.fromEntries(ROLES.map((role) => [role, header.cells.indexOf(name[role])])) as Record<
    Role,
    number
  >;

  const bars: OfficialBar[] = [];
  const skippedBySeries: Record<string, number> = {};
  const bad: ParsedBhavcopy['bad'] = [];
  const seen = new Map<string, number>();
  for (const { line, cells } of rows) {
    const cell = (role: Role) => cells[col[role]] ?? '';
    const series = cell('series');
    if (!IMPORTED_SERIES.has(series)) {
      const key = series || '(blank)';
      skippedBySeries[key] = (skippedBySeries[key] ?? 0) + 1;
      continue;
    }
    const reject = (reason: string) => bad.push({ line, reason });
    const symbol = cell('symbol');
    if (!SYMBOL_PATTERN.test(symbol)) {
      reject(`${name.symbol} "${symbol}" is not an NSE symbol`);
      continue;
    }
    const session = sessionDate(cell('session'), format);
    if (!session) {
      reject(`${name.session} "${cell('session')}" is not a date`);
      continue;
    }
    const prices = (['open', 'high', 'low', 'close'] as const).map((role) => price(cell(role), name[role]));
    const problem = prices.find((p) => typeof p === 'string');
    if (problem !== undefined) {
      reject(problem as string);
      continue;
    }
    const [open, high, low, close] = prices as bigint[] as [bigint, bigint, bigint, bigint];
    if (high < low) {
      reject(`${name.high} is below ${name.low}`);
      continue;
    }
    if (open < low || open > high || close < low || close > high) {
      reject(`${name.open} and ${name.close} must lie between ${name.low} and ${name.high}`);
      continue;
    }
    const volumeText = cell('volume');
    // NSE writes whole share counts; some tools re-save them as "1200.0".
    if (volumeText !== '' && !/^\d{1,15}(\.0+)?$/.test(volumeText)) {
      reject(`${name.volume} "${volumeText}" is not a share count`);
      continue;
    }
    const key = `${symbol} ${session}`;
    const first = seen.get(key);
    if (first !== undefined) {
      reject(`${symbol} on ${session} already appears on line ${first}`);
      continue;
    }
    seen.set(key, line);
    bars.push({
      symbol,
      session,
      open: formatPaise(open),
      high: formatPaise(high),
      low: formatPaise(low),
      close: formatPaise(close),
      volume: volumeText === '' ? null : Number.parseInt(volumeText, 10),
      line,
    });
  }
  const sessions = new Set(bars.map((b) => b.session));
  const session = sessions.size === 1 ? ([...sessions][0] as string) : null;
  return { format, session, bars, skippedBySeries, bad };
}
