/**
 * Persistence of market prices. The whole consumer batch is one set-based statement: the
 * quarantined records, the merged per-symbol rows and the per-session daily bars go in as three
 * JSON parameters, and guarded upserts replace each field only with a newer version of it.
 */

import type postgres from 'postgres';
import { type MergedBar, type MergedTick, OPTIONAL_FIELDS } from '../core/ticks';
import { db, type Sql } from '../platform/db';

export interface QuarantineRow {
  eventId: string;
  sequenceNumber: string;
  partitionKey: string | null;
  /** Base64 raw record data. */
  data: string;
  reason: string;
  arrivedAt: string | null;
}

export interface PriceStore {
  /**
   * Apply a merged batch, its daily bars and its quarantined records atomically; returns latest
   * price rows changed. `bars` defaults to none (callers that only move prices).
   */
  applyBatch(
    rows: MergedTick[],
    quarantine: QuarantineRow[],
    bars?: MergedBar[],
  ): Promise<{ updated: number; quarantined: number }>;
}

const FIELD_TYPES: Record<(typeof OPTIONAL_FIELDS)[number], string> = {
  name: 'text',
  sector: 'text',
  change_1d_pct: 'float8',
  change_7d_pct: 'float8',
  volatility: 'float8',
  market_cap_cr: 'float8',
  volume: 'int8',
};

/*
 * The batch travels as one compact JSON parameter: an array of positional rows
 *   [symbol, price, price_v, name, name_v, sector, sector_v, …, market_cap_cr, market_cap_cr_v]
 * where a field's version is null when it equals the price version (the common case: the whole
 * tick is the newest). ts and sequence number are recovered from price_v (see tickVersion), so
 * a 10,000-record batch costs a few hundred kilobytes, not megabytes. The SQL text is built once
 * from a constant list of column names, never from input.
 */
const fieldColumns = OPTIONAL_FIELDS.flatMap((f) => [f, `${f}_v`]);
const inputColumns = OPTIONAL_FIELDS.flatMap((f, i) => {
  const value = `r->>${3 + 2 * i}`;
  const version = `r->>${4 + 2 * i}`;
  return [
    `(${value})::${FIELD_TYPES[f]} AS ${f}`,
    `CASE WHEN ${value} IS NULL THEN NULL ELSE COALESCE(${version}, r->>2) END COLLATE "C" AS ${f}_v`,
  ];
});
const fieldUpdates = OPTIONAL_FIELDS.flatMap((f) => [
  `${f} = CASE WHEN EXCLUDED.${f}_v > COALESCE(lp.${f}_v, '') THEN EXCLUDED.${f} ELSE lp.${f} END`,
  `${f}_v = GREATEST(EXCLUDED.${f}_v, lp.${f}_v)`,
]);
const priceNewer = 'EXCLUDED.price_v > lp.price_v';
const APPLY_BATCH = `
WITH quarantined AS (
  INSERT INTO quarantined_ticks (event_id, sequence_number, partition_key, raw_data, reason, arrived_at)
  SELECT event_id, sequence_number, partition_key, decode(data, 'base64'), reason, arrived_at
  FROM jsonb_to_recordset($2::jsonb)
    AS q(event_id text, sequence_number text, partition_key text, data text, reason text, arrived_at timestamptz)
  ON CONFLICT (event_id) DO NOTHING
  RETURNING 1
), input AS (
  SELECT r->>0 AS symbol, (r->>1)::numeric AS price, (r->>2) COLLATE "C" AS price_v,
         ${inputColumns.join(',\n         ')}
  FROM jsonb_array_elements($1::jsonb) AS r
), updated AS (
  INSERT INTO latest_prices AS lp (symbol, price, ts, sequence_number, price_v, ${fieldColumns.join(', ')})
  SELECT symbol, price,
         timestamptz 'epoch' + left(price_v, 15)::bigint * interval '1 millisecond',
         substr(price_v, 19),
         price_v, ${fieldColumns.join(', ')}
  FROM input
  ON CONFLICT (symbol) DO UPDATE SET
    price = CASE WHEN ${priceNewer} THEN EXCLUDED.price ELSE lp.price END,
    ts = CASE WHEN ${priceNewer} THEN EXCLUDED.ts ELSE lp.ts END,
    sequence_number = CASE WHEN ${priceNewer} THEN EXCLUDED.sequence_number ELSE lp.sequence_number END,
    price_v = GREATEST(EXCLUDED.price_v, lp.price_v),
    ${fieldUpdates.join(',\n    ')},
    updated_at = now()
  WHERE ${priceNewer} OR ${OPTIONAL_FIELDS.map((f) => `EXCLUDED.${f}_v > COALESCE(lp.${f}_v, '')`).join(' OR ')}
  RETURNING 1
), bars AS (
  -- Daily bars (SPEC §11): the older open and the newer close win by tick version, high/low/volume
  -- are extremes (GREATEST/LEAST skip NULLs). Official (imported) bars are never touched.
  INSERT INTO daily_bars AS d (symbol, session, open, open_v, close, close_v, high, low, volume)
  SELECT b->>0, (b->>1)::date, (b->>2)::numeric, (b->>3) COLLATE "C",
         (b->>4)::numeric, COALESCE(b->>5, b->>3) COLLATE "C",
         (b->>6)::numeric, (b->>7)::numeric, (b->>8)::bigint
  FROM jsonb_array_elements($3::jsonb) AS b
  ON CONFLICT (symbol, session) DO UPDATE SET
    open = CASE WHEN EXCLUDED.open_v < d.open_v THEN EXCLUDED.open ELSE d.open END,
    open_v = LEAST(EXCLUDED.open_v, d.open_v),
    close = CASE WHEN EXCLUDED.close_v > d.close_v THEN EXCLUDED.close ELSE d.close END,
    close_v = GREATEST(EXCLUDED.close_v, d.close_v),
    high = GREATEST(EXCLUDED.high, d.high),
    low = LEAST(EXCLUDED.low, d.low),
    volume = GREATEST(EXCLUDED.volume, d.volume),
    updated_at = now()
  WHERE NOT d.official
    AND (EXCLUDED.open_v < d.open_v OR EXCLUDED.close_v > d.close_v OR EXCLUDED.high > d.high
         OR EXCLUDED.low < d.low OR EXCLUDED.volume > COALESCE(d.volume, -1))
  RETURNING 1
)
SELECT (SELECT count(*) FROM updated)::int AS updated, (SELECT count(*) FROM quarantined)::int AS quarantined`;

function toRow(row: MergedTick): unknown[] {
  const out: unknown[] = [row.symbol, row.price.value, row.price.version];
  for (const field of OPTIONAL_FIELDS) {
    const value = row.fields[field];
    out.push(value?.value ?? null, value && value.version !== row.price.version ? value.version : null);
  }
  return out;
}

/** A bar as a positional row: close_v is null when the same tick set open and close. */
function toBarRow(bar: MergedBar): unknown[] {
  const closeV = bar.close.version === bar.open.version ? null : bar.close.version;
  return [
    bar.symbol,
    bar.session,
    bar.open.value,
    bar.open.version,
    bar.close.value,
    closeV,
    bar.high,
    bar.low,
    bar.volume,
  ];
}

export function sqlPriceStore(sql: Sql): PriceStore {
  return {
    async applyBatch(rows, quarantine, bars = []) {
      if (rows.length === 0 && quarantine.length === 0 && bars.length === 0) {
        return { updated: 0, quarantined: 0 };
      }
      const records = sql.json(rows.map(toRow) as postgres.JSONValue);
      const bad = sql.json(
        quarantine.map((q) => ({
          event_id: q.eventId,
          sequence_number: q.sequenceNumber,
          partition_key: q.partitionKey,
          data: q.data,
          reason: q.reason,
          arrived_at: q.arrivedAt,
        })),
      );
      const [result] = await sql.unsafe<{ updated: number; quarantined: number }[]>(APPLY_BATCH, [
        records,
        bad,
        sql.json(bars.map(toBarRow) as postgres.JSONValue),
      ]);
      return { updated: result?.updated ?? 0, quarantined: result?.quarantined ?? 0 };
    },
  };
}

/** The store on the container's database client. */
export async function defaultPriceStore(): Promise<PriceStore> {
  return sqlPriceStore(await db());
}
