/**
 * Market ticks: validation of one stream record (SPEC §2) and the merge of a batch into one
 * row per symbol. Pure: no I/O, the clock is an argument.
 *
 * Ordering is last-writer-wins per field on the version (ts, sequence number). Because every
 * field keeps the value of its newest tick, and "newest" is a total order, applying any
 * permutation or any split of a set of ticks gives the same table, while a tick that leaves an
 * optional field out keeps the stored value of that field.
 */
import { isUtf8 } from 'node:buffer';
import { z } from 'zod';
import { DAY_MS, IST_OFFSET_MS, istDate } from './ist';
import { formatPaise, toPaise } from './money';

export const SYMBOL_PATTERN = /^[A-Z0-9][A-Z0-9&_-]{0,19}$/;
export const MAX_PRICE = 10_000_000;
/** Event times before this are certainly wrong (and keep the version arithmetic positive). */
const MIN_TS_MS = Date.UTC(2000, 0, 1);
const TS_DIGITS = 15;

export const OPTIONAL_FIELDS = [
  'name',
  'sector',
  'change_1d_pct',
  'change_7d_pct',
  'volatility',
  'market_cap_cr',
  'volume',
] as const;
export type OptionalField = (typeof OPTIONAL_FIELDS)[number];

/**
 * Normalize a symbol as the API and the stream do: trimmed, checked to be ASCII, upper-cased,
 * then checked. NSE symbols are ASCII; the ASCII check comes first because Unicode upper-casing
 * folds other letters into ASCII ones (`ınfy` → `INFY`, `ß` → `SS`, `ﬁ` → `FI`).
 */
export const symbolSchema = z
  .string()
  .trim()
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the whole ASCII range is the point
  .regex(/^[\x00-\x7f]*$/, { message: 'must be ASCII (A-Z, 0-9, &, _ or -)', abort: true })
  .toUpperCase()
  .regex(SYMBOL_PATTERN, 'must be 1-20 characters A-Z, 0-9, &, _ or -, starting with a letter or digit');

// Plain schemas without transforms or refinements: this runs for every record of every batch.
const text = z
  .string()
  .max(200, 'must be at most 200 characters')
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters')
  .nullish();
const number = (min: number, max: number) => z.number().finite().gte(min).lte(max).nullish();

/**
 * A UTF-16 surrogate without its partner. JSON.parse accepts `"\ud800"`, but PostgreSQL's jsonb
 * and text refuse it, and so would fail the whole batch on every retry: such a record is poison
 * and must be caught here, like every other value the database would refuse.
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Text the database can store as is: NUL (which PostgreSQL text cannot hold) and lone
 * surrogates become U+FFFD. For metadata kept with a quarantined record (its partition key),
 * which must never make the quarantine write itself fail.
 */
export function storableText(value: string): string {
  return value.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: replacing NUL is the point
    /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    '\ufffd',
  );
}

const tickSchema = z.object({
  symbol: symbolSchema,
  price: z.number().finite().gt(0, 'must be greater than 0').lte(MAX_PRICE, `must be at most ${MAX_PRICE}`),
  name: text,
  sector: text,
  change_1d_pct: number(-100, 10_000),
  change_7d_pct: number(-100, 10_000),
  volatility: number(0, 10),
  market_cap_cr: number(0, Number.MAX_VALUE),
  // Shares traded in the session so far (SPEC §11); bigint in the database.
  volume: z.number().int('must be a whole number').gte(0).lte(Number.MAX_SAFE_INTEGER).nullish(),
  ts: z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time with a time zone' }).nullish(),
});

export interface RawTickRecord {
  /** Base64 record data, as in a KinesisStreamRecord. */
  data: string;
  sequenceNumber: string;
  /** Approximate arrival time in epoch milliseconds. */
  arrivalMs: number;
}

export interface Tick {
  symbol: string;
  /** Price as an exact decimal string in rupees with two decimals ("2987.45"). */
  price: string;
  name?: string;
  sector?: string;
  change_1d_pct?: number;
  change_7d_pct?: number;
  volatility?: number;
  market_cap_cr?: number;
  volume?: number;
  tsMs: number;
  sequenceNumber: string;
}

export type TickResult = { ok: true; tick: Tick } | { ok: false; reason: string };

/** Validate one record. `maxFutureMs`: how far past `nowMs` a tick's ts may be. */
export function parseTick(record: RawTickRecord, nowMs: number, maxFutureMs: number): TickResult {
  let json: unknown;
  const bytes = Buffer.from(record.data, 'base64');
  if (!isUtf8(bytes)) return { ok: false, reason: 'data is not UTF-8 JSON' };
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { ok: false, reason: 'data is not UTF-8 JSON' };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, reason: 'data is not a JSON object' };
  }
  const parsed = tickSchema.safeParse(json);
  if (!parsed.success) {
    const reasons = parsed.error.issues.map((i) => `${i.path.join('.') || 'tick'}: ${i.message}`);
    return { ok: false, reason: reasons.join('; ') };
  }
  const { ts, price, ...rest } = parsed.data;
  // The price is stored as numeric(10, 2) with CHECK (price > 0): a positive price that rounds to
  // 0 paise (0.004) would pass the schema and then fail the batch in the database, forever.
  const paise = toPaise(price);
  if (paise <= 0n) return { ok: false, reason: 'price: must be at least 0.01 after rounding to paise' };
  for (const field of ['name', 'sector'] as const) {
    const value = rest[field];
    if (value != null && LONE_SURROGATE.test(value)) {
      return { ok: false, reason: `${field}: must be well-formed Unicode (no lone surrogate)` };
    }
  }
  const tsMs = ts == null ? record.arrivalMs : Date.parse(ts);
  if (tsMs > nowMs + maxFutureMs) {
    return { ok: false, reason: `ts: ${ts} is more than ${maxFutureMs / 1000} s in the future` };
  }
  if (tsMs < MIN_TS_MS) return { ok: false, reason: 'ts: must not be before 2000-01-01' };
  if (!/^\d{1,129}$/.test(record.sequenceNumber)) {
    return { ok: false, reason: 'sequence number is not a decimal string' };
  }
  const tick: Tick = {
    symbol: rest.symbol,
    price: formatPaise(paise),
    tsMs,
    sequenceNumber: record.sequenceNumber,
  };
  // Absent and null both mean "not in this tick": the stored value stays.
  if (rest.name != null) tick.name = rest.name;
  if (rest.sector != null) tick.sector = rest.sector;
  if (rest.change_1d_pct != null) tick.change_1d_pct = rest.change_1d_pct;
  if (rest.change_7d_pct != null) tick.change_7d_pct = rest.change_7d_pct;
  if (rest.volatility != null) tick.volatility = rest.volatility;
  if (rest.market_cap_cr != null) tick.market_cap_cr = rest.market_cap_cr;
  if (rest.volume != null) tick.volume = rest.volume;
  return { ok: true, tick };
}

/**
 * A tick's version as a string whose byte order is the order of (ts, sequence number):
 * epoch milliseconds (15 digits), the length of the sequence number (3 digits), then the
 * sequence number itself (Kinesis: a decimal of up to 129 digits without leading zeros, so a
 * longer one is larger). Compared with `<` here and as `text COLLATE "C"` in SQL.
 */
export function tickVersion(tick: Pick<Tick, 'tsMs' | 'sequenceNumber'>): string {
  const seq = tick.sequenceNumber.replace(/^0+(?=\d)/, '');
  return `${tick.tsMs}`.padStart(TS_DIGITS, '0') + `${seq.length}`.padStart(3, '0') + seq;
}

export interface Versioned<T> {
  value: T;
  version: string;
}

/** One symbol's merged state from a batch: each field with the version it came from. */
export interface MergedTick {
  symbol: string;
  price: Versioned<string> & { tsMs: number; sequenceNumber: string };
  fields: Partial<{ [F in OptionalField]: Versioned<NonNullable<Tick[F]>> }>;
}

/** Merge a batch into one row per symbol: per field, the value of the newest tick that has it. */
export function mergeTicks(ticks: Iterable<Tick>): MergedTick[] {
  const bySymbol = new Map<string, MergedTick>();
  for (const tick of ticks) {
    const version = tickVersion(tick);
    let merged = bySymbol.get(tick.symbol);
    if (!merged) {
      merged = {
        symbol: tick.symbol,
        price: { value: tick.price, version, tsMs: tick.tsMs, sequenceNumber: tick.sequenceNumber },
        fields: {},
      };
      bySymbol.set(tick.symbol, merged);
      // Stryker disable next-line EqualityOperator: equal versions are the same record (same ts and sequence number), so > and >= keep the same value.
    } else if (version > merged.price.version) {
      merged.price = { value: tick.price, version, tsMs: tick.tsMs, sequenceNumber: tick.sequenceNumber };
    }
    const fields = merged.fields as Record<OptionalField, Versioned<unknown> | undefined>;
    for (const field of OPTIONAL_FIELDS) {
      const value = tick[field];
      if (value === undefined) continue;
      const current = fields[field];
      // Stryker disable next-line EqualityOperator: as above, an equal version is the same record.
      if (!current || version > current.version) fields[field] = { value, version };
    }
  }
  // Symbols are unique here (map keys), so two rows never compare equal.
  return [...bySymbol.values()].sort((a, b) => (a.symbol < b.symbol ? -1 : 1));
}

/**
 * One symbol's daily bar from a batch. open and close carry the versions of the ticks they came
 * from, so that the store can combine this bar with a stored one by the same rule: the older
 * open and the newer close win, high/low/volume are extremes. Every part of that combination is
 * commutative, associative and idempotent, so any permutation, split, duplication or replay of
 * the same ticks gives the same bar.
 */
export interface MergedBar {
  symbol: string;
  session: string;
  open: Versioned<string>;
  close: Versioned<string>;
  high: string;
  low: string;
  /** The largest cumulative volume seen; null when no tick of the session carried one. */
  volume: number | null;
}

/**
 * Merge a batch into one bar per (symbol, session), sorted by both. A tick's session (SPEC §11)
 * is the IST calendar date of its ts.
 */
export function mergeBars(ticks: Iterable<Tick>): MergedBar[] {
  const bars = new Map<string, MergedBar & { highValue: number; lowValue: number }>();
  // A batch spans one or two sessions: format each date once, not once per tick.
  const sessions = new Map<number, string>();
  for (const tick of ticks) {
    const version = tickVersion(tick);
    const day = Math.floor((tick.tsMs + IST_OFFSET_MS) / DAY_MS);
    let session = sessions.get(day);
    if (session === undefined) {
      session = istDate(tick.tsMs);
      sessions.set(day, session);
    }
    const key = `${tick.symbol} ${session}`;
    // Prices are exact 2-decimal strings of at most 10 digits: as doubles they keep their order.
    const value = Number(tick.price);
    const volume = tick.volume ?? null;
    const bar = bars.get(key);
    if (!bar) {
      bars.set(key, {
        symbol: tick.symbol,
        session,
        open: { value: tick.price, version },
        close: { value: tick.price, version },
        high: tick.price,
        low: tick.price,
        highValue: value,
        lowValue: value,
        volume,
      });
      continue;
    }
    if (version < bar.open.version) bar.open = { value: tick.price, version };
    if (version > bar.close.version) bar.close = { value: tick.price, version };
    if (value > bar.highValue) [bar.high, bar.highValue] = [tick.price, value];
    if (value < bar.lowValue) [bar.low, bar.lowValue] = [tick.price, value];
    if (volume !== null && (bar.volume === null || volume > bar.volume)) bar.volume = volume;
  }
  return [...bars.values()]
    .map(({ highValue: _h, lowValue: _l, ...bar }) => bar)
    .sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : a.session < b.session ? -1 : 1));
}
