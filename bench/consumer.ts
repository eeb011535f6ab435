/**
 * Consumer throughput: a 10,000-record batch applied by the real consumer path (validate, merge,
 * one set-based statement that also maintains the daily bars) against local PostgreSQL, and the
 * same batch applied one record per statement (price and bar) as a baseline. Prints records/s
 * for both and the speed-up.
 * Targets (issues 2 and 17): ≥ 100,000 records/s and ≥ 30× the baseline on the 2-core dev machine.
 */
import { mergeBars, mergeTicks, parseTick } from '../functions/core/ticks';
import { sqlPriceStore } from '../functions/market/price-store';
import type { Sql } from '../functions/platform/db';
import { kinesisEvent } from '../test/helpers/events';
import { median } from './stats';

const RECORDS = 10_000;
const SYMBOLS = 2_000;
const RUNS = 5;

function batch(round: number) {
  const base = Date.now() - 60_000 + round * 1000;
  return kinesisEvent(
    Array.from({ length: RECORDS }, (_, i) => ({
      data: {
        symbol: `SYM${i % SYMBOLS}`,
        price: 100 + ((i * 7919) % 100_000) / 100,
        change_7d_pct: ((i % 200) - 100) / 10,
        volatility: (i % 50) / 1000,
        volume: 1_000 * round + i,
        ts: new Date(base + i).toISOString(),
      },
      arrivalMs: base,
    })),
  );
}

export async function benchConsumer(sql: Sql): Promise<{ batchRps: number; baselineRps: number }> {
  const { processBatch } = await import('../functions/consumer');
  const sqlStore = sqlPriceStore(sql);
  const sqlTimes: number[] = [];
  const store: typeof sqlStore = {
    ...sqlStore,
    async applyBatch(rows, quarantine, bars) {
      const t0 = performance.now();
      const result = await sqlStore.applyBatch(rows, quarantine, bars);
      sqlTimes.push(performance.now() - t0);
      return result;
    },
  };
  await sql`TRUNCATE latest_prices, quarantined_ticks, daily_bars`;
  await processBatch(batch(0), store); // warm-up: plans, connection, JIT

  const batchTimes: number[] = [];
  for (let round = 1; round <= RUNS; round++) {
    const event = batch(round);
    const t0 = performance.now();
    const result = await processBatch(event, store);
    batchTimes.push(performance.now() - t0);
    if (result.batchItemFailures.length) throw new Error('batch failed');
  }

  // Baseline: the same validation, then one guarded upsert (price and bar) per record, in order.
  await sql`TRUNCATE latest_prices, quarantined_ticks, daily_bars`;
  const event = batch(RUNS + 1);
  const t0 = performance.now();
  const now = Date.now();
  for (const { kinesis } of event.Records) {
    const parsed = parseTick(
      { data: kinesis.data, sequenceNumber: kinesis.sequenceNumber, arrivalMs: now },
      now,
      300_000,
    );
    if (parsed.ok) await sqlStore.applyBatch(mergeTicks([parsed.tick]), [], mergeBars([parsed.tick]));
  }
  const baselineMs = performance.now() - t0;

  const batchRps = RECORDS / (median(batchTimes) / 1000);
  const baselineRps = RECORDS / (baselineMs / 1000);
  console.log(
    `consumer: ${RECORDS} records, ${SYMBOLS} symbols, daily bars maintained, median of ${RUNS} runs`,
  );
  console.log(
    `  set-based batch   ${median(batchTimes).toFixed(1)} ms  ${Math.round(batchRps).toLocaleString('en')} records/s  (target ≥ 100,000)`,
  );
  console.log(`    of which SQL    ${median(sqlTimes.slice(1)).toFixed(1)} ms (one statement)`);
  console.log(
    `  per-record        ${baselineMs.toFixed(1)} ms  ${Math.round(baselineRps).toLocaleString('en')} records/s`,
  );
  console.log(`  speed-up          ${(batchRps / baselineRps).toFixed(1)}×  (target ≥ 30×)`);
  return { batchRps, baselineRps };
}
