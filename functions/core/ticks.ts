/**
 * Market ticks: validation of one stream record (SPEC §2) and the merge of a batch into one
 * row per symbol. Pure: no I/O, the clock is an argument.
 *
 * Ordering is last-writer-wins per field on the version (ts, sequence number). Because every
 * field keeps the value of its newest tick, and "newest" is a total order, applying any
 * permutation or any split of a set of ticks gives the same table, while a tick that leaves an
 * optional field out keeps the stored value of that field.
 */
import { z } from 'zod';
import { formatPaise, toPaise } from './money';

export const SYMBOL_PATTERN = /^[A-Z0-9][A-Z0-9&_-]{0,19}$/;
export const MAX_PRICE = 10_000_000;
/** Event times before this are certainly wrong (and keep the version arithmetic positive). */
const MIN_TS_MS = Date.UTC(2000, 0, 1);
/** Kinesis sequence numbers are decimal strings of up to 129 digits. */
const SEQ_DIGITS = 130;
const TS_DIGITS = 15;

export const OPTIONAL_FIELDS = [
  'name',
  'sector',
  'change_1d_pct',
  'change_7d_pct',
  'volatility',
  'market_cap_cr',
] as const;
export type OptionalField = (typeof OPTIONAL_FIELDS)[number];

/** Normalize a symbol as the API and the stream do: trimmed, upper-cased, then checked. */
export const symbolSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(SYMBOL_PATTERN, 'must be 1-20 characters A-Z, 0-9, &, _ or -, starting with a letter or digit');

const text = z
  .string()
  .max(200, 'must be at most 200 characters')
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'must not contain control characters');
const finite = z.number().finite();
const optional = <T extends z.ZodType>(schema: T) => schema.nullish().transform((v) => v ?? undefined);

const tickSchema = z.object({
  symbol: symbolSchema,
  price: finite
    .gt(0, 'must be greater than 0')
    .lte(MAX_PRICE, `must be at most ${MAX_PRICE}`)
    .refine((p) => toPaise(p) > 0n, 'must be at least 0.01 after rounding to paise'),
  name: optional(text),
  sector: optional(text),
  change_1d_pct: optional(finite.gte(-100).lte(10_000)),
  change_7d_pct: optional(finite.gte(-100).lte(10_000)),
  volatility: optional(finite.gte(0).lte(10)),
  market_cap_cr: optional(finite.gte(0)),
  ts: optional(z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time with a time zone' })),
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
  tsMs: number;
  sequenceNumber: string;
}

export type TickResult = { ok: true; tick: Tick } | { ok: false; reason: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Validate one record. `maxFutureMs`: how far past `nowMs` a tick's ts may be. */
export function parseTick(record: RawTickRecord, nowMs: number, maxFutureMs: number): TickResult {
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(Buffer.from(record.data, 'base64')));
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
  const tsMs = ts === undefined ? record.arrivalMs : Date.parse(ts);
  if (tsMs > nowMs + maxFutureMs) {
    return { ok: false, reason: `ts: ${ts} is more than ${maxFutureMs / 1000} s in the future` };
  }
  if (tsMs < MIN_TS_MS) return { ok: false, reason: 'ts: must not be before 2000-01-01' };
  if (!/^\d{1,129}$/.test(record.sequenceNumber)) {
    return { ok: false, reason: 'sequence number is not a decimal string' };
  }
  const tick: Tick = {
    symbol: rest.symbol,
    price: formatPaise(toPaise(price)),
    tsMs,
    sequenceNumber: record.sequenceNumber,
  };
  for (const field of OPTIONAL_FIELDS) {
    const value = rest[field];
    if (value !== undefined) Object.assign(tick, { [field]: value });
  }
  return { ok: true, tick };
}

/**
 * A tick's version as a decimal digit string that sorts numerically like (ts, sequence number):
 * epoch milliseconds, then the sequence number zero-padded. Stored as SQL `numeric`.
 */
export function tickVersion(tick: Pick<Tick, 'tsMs' | 'sequenceNumber'>): string {
  return `${tick.tsMs}`.padStart(TS_DIGITS, '0') + tick.sequenceNumber.padStart(SEQ_DIGITS, '0');
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
    } else if (version > merged.price.version) {
      merged.price = { value: tick.price, version, tsMs: tick.tsMs, sequenceNumber: tick.sequenceNumber };
    }
    for (const field of OPTIONAL_FIELDS) {
      const value = tick[field];
      if (value === undefined) continue;
      const current = merged.fields[field];
      if (!current || version > current.version) {
        Object.assign(merged.fields, { [field]: { value, version } });
      }
    }
  }
  return [...bySymbol.values()].sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
}
