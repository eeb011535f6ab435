import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { handler, processBatch } from '../../functions/consumer';
import { sqlPriceStore } from '../../functions/market/price-store';
import { useTestDatabase, withDatabaseDown } from '../helpers/db';
import { deliveries, kinesisEvent, kinesisRecord, lambdaContext, type RecordInput } from '../helpers/events';

const db = useTestDatabase();

async function reset() {
  await db.current.sql`TRUNCATE latest_prices, quarantined_ticks`;
}

async function prices() {
  return db.current.sql`
    SELECT symbol, price::text, name, sector, change_1d_pct, change_7d_pct, volatility, market_cap_cr, ts
    FROM latest_prices ORDER BY symbol COLLATE "C"`;
}

const T0 = Date.parse('2026-11-27T09:15:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

describe('stream consumer', () => {
  it('applies a valid batch: one row per symbol with every field', async () => {
    // Prepare
    await reset();
    const event = kinesisEvent([
      {
        data: {
          symbol: 'TCS',
          price: 4090,
          name: 'Tata Consultancy Services',
          sector: 'IT',
          change_1d_pct: 0.5,
          change_7d_pct: -1.2,
          volatility: 0.012,
          market_cap_cr: 1480000,
          ts: at(0),
        },
      },
      { data: { symbol: ' m&m ', price: 2987.45, ts: at(0) } },
    ]);
    // Act
    const result = await handler(event, lambdaContext('consumer'));
    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    const rows = await prices();
    expect(rows.map((r) => [r.symbol, r.price])).toEqual([
      ['M&M', '2987.45'],
      ['TCS', '4090.00'],
    ]);
    expect(rows[1]).toMatchObject({
      name: 'Tata Consultancy Services',
      sector: 'IT',
      change_7d_pct: -1.2,
      volatility: 0.012,
    });
  });

  it('keeps the newest tick when duplicates and out-of-order ticks arrive', async () => {
    await reset();
    const newest = kinesisRecord({ data: { symbol: 'INFY', price: 1500, ts: at(5) } });
    await handler(
      kinesisEvent([newest, { data: { symbol: 'INFY', price: 1400, ts: at(1) } }, newest]),
      lambdaContext(),
    );
    // A later batch with an older tick and a replay of the newest changes nothing.
    await handler(
      kinesisEvent([{ data: { symbol: 'INFY', price: 1300, ts: at(3) } }, newest]),
      lambdaContext(),
    );
    const [row] = await prices();
    expect(row).toMatchObject({ symbol: 'INFY', price: '1500.00' });
    expect(row?.ts.toISOString()).toBe(at(5));
  });

  it('breaks ties on equal ts by sequence number', async () => {
    await reset();
    const first = kinesisRecord({ data: { symbol: 'SBIN', price: 800, ts: at(0) } });
    const second = kinesisRecord({ data: { symbol: 'SBIN', price: 801, ts: at(0) } });
    await handler(kinesisEvent([second]), lambdaContext());
    await handler(kinesisEvent([first]), lambdaContext());
    expect((await prices())[0]?.price).toBe('801.00');
  });

  it('keeps the stored value of a field a newer tick leaves out', async () => {
    await reset();
    await handler(
      kinesisEvent([
        { data: { symbol: 'ITC', price: 410, name: 'ITC Ltd', sector: 'FMCG', volatility: 0.01, ts: at(0) } },
      ]),
      lambdaContext(),
    );
    await handler(kinesisEvent([{ data: { symbol: 'ITC', price: 415, ts: at(1) } }]), lambdaContext());
    expect((await prices())[0]).toMatchObject({
      price: '415.00',
      name: 'ITC Ltd',
      sector: 'FMCG',
      volatility: 0.01,
    });
  });

  it('gives the same table for any order and split of the same ticks', async () => {
    const symbols = ['TCS', 'INFY', 'M&M'];
    const tick = fc.record(
      {
        symbol: fc.constantFrom(...symbols),
        price: fc.integer({ min: 1, max: 1_000_000 }).map((p) => p / 100),
        name: fc.constantFrom('A', 'B', 'C'),
        volatility: fc.integer({ min: 0, max: 100 }).map((v) => v / 1000),
        ts: fc.integer({ min: 0, max: 4 }).map(at),
      },
      { requiredKeys: ['symbol', 'price'] },
    );
    await fc.assert(
      fc.asyncProperty(deliveries(tick, T0), async ({ records, shuffled, split }) => {
        await reset();
        await handler(kinesisEvent(records), lambdaContext());
        const inOrder = await prices();
        await reset();
        await handler(kinesisEvent(shuffled.slice(split)), lambdaContext());
        await handler(kinesisEvent(shuffled.slice(0, split)), lambdaContext());
        expect(await prices()).toEqual(inOrder);
      }),
      { numRuns: 40 },
    );
  });

  it('quarantines poison records with their reason while the rest apply', async () => {
    await reset();
    const now = Date.now();
    const poison: Array<[RecordInput, RegExp]> = [
      [{ data: 'not json {' }, /not UTF-8 JSON/],
      [{ data: '[1,2]' }, /not a JSON object/],
      [{ data: { symbol: 'BAD SYMBOL!', price: 10 } }, /symbol/],
      [{ data: { symbol: 'TCS', price: -5 } }, /price: must be greater than 0/],
      [{ data: '{"symbol":"TCS","price":NaN}' }, /not UTF-8 JSON/],
      [{ data: '{"symbol":"TCS","price":1e400}' }, /price/],
      [{ data: { symbol: 'TCS', price: 10_000_000.01 } }, /price: must be at most/],
      [{ data: { symbol: 'TCS', price: 10, ts: new Date(now + 6 * 60_000).toISOString() } }, /future/],
      [{ data: { symbol: 'TCS', price: 10, ts: 'yesterday' } }, /ts:/],
      [{ data: { symbol: 'TCS', price: 10, volatility: 11 } }, /volatility/],
      [{ data: { symbol: 'TCS', price: 10, name: 'x'.repeat(201) } }, /name/],
      [{ data: { symbol: 'TCS', price: '10' } }, /price/],
      // Values the schema alone would let through but the database refuses: each would fail
      // the whole batch on every retry and block the shard if it were not quarantined here.
      [{ data: { symbol: 'TCS', price: 0.004 } }, /price: must be at least 0.01 after rounding/],
      [{ data: '{"symbol":"TCS","price":10,"name":"\\ud800x"}' }, /name: must be well-formed Unicode/],
      [{ data: '{"symbol":"TCS","price":10,"sector":"x\\udc00"}' }, /sector: must be well-formed/],
      [{ data: 'junk', partitionKey: 'nul\u0000 and lone \ud800' }, /not UTF-8 JSON/],
    ];
    const good = { data: { symbol: 'HDFCBANK', price: 985.5 } };
    const event = kinesisEvent([...poison.map(([r]) => r), good]);
    const result = await processBatch(event, sqlPriceStore(db.current.sql), now);
    expect(result.batchItemFailures).toEqual([]);
    const quarantined = await db.current.sql<{ sequence_number: string; reason: string; raw: string }[]>`
      SELECT sequence_number, reason, convert_from(raw_data, 'UTF8') AS raw FROM quarantined_ticks ORDER BY id`;
    expect(quarantined).toHaveLength(poison.length);
    for (const [i, [, reason]] of poison.entries()) {
      const record = event.Records[i];
      const row = quarantined.find((q) => q.sequence_number === record?.kinesis.sequenceNumber);
      expect(row?.reason).toMatch(reason);
      expect(row?.raw).toBe(Buffer.from(record?.kinesis.data ?? '', 'base64').toString('utf8'));
    }
    expect((await prices()).map((r) => r.symbol)).toEqual(['HDFCBANK']);
    // A replay of the same batch quarantines nothing twice.
    await processBatch(event, sqlPriceStore(db.current.sql), now);
    expect((await db.current.sql`SELECT count(*)::int AS n FROM quarantined_ticks`)[0]?.n).toBe(
      poison.length,
    );
  });

  it('reports every record from the first when the database is down, and a retry applies them once', async () => {
    await reset();
    const event = kinesisEvent([
      { data: { symbol: 'TCS', price: 4000, ts: at(0) } },
      { data: 'garbage' },
      { data: { symbol: 'TCS', price: 4100, ts: at(1) } },
    ]);
    const down = sqlPriceStore(db.current.sql);
    const failing = {
      ...down,
      applyBatch: () =>
        Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
    };

    const failed = await processBatch(event, failing);
    expect(failed.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(
      event.Records.map((r) => r.kinesis.sequenceNumber),
    );
    expect(await prices()).toEqual([]);

    // Lambda retries from the lowest reported sequence number: the whole batch, now with the database back.
    expect(await processBatch(event, down)).toEqual({ batchItemFailures: [] });
    expect(await processBatch(event, down)).toEqual({ batchItemFailures: [] });
    expect((await prices()).map((r) => [r.symbol, r.price])).toEqual([['TCS', '4100.00']]);
    expect((await db.current.sql`SELECT count(*)::int AS n FROM quarantined_ticks`)[0]?.n).toBe(1);
  });

  it('reports failures through the real handler when the database is unreachable', async () => {
    await withDatabaseDown(async () => {
      const event = kinesisEvent([
        { data: { symbol: 'TCS', price: 1 } },
        { data: { symbol: 'INFY', price: 2 } },
      ]);
      const result = await handler(event, lambdaContext());
      expect(result.batchItemFailures).toHaveLength(2);
    });
  });

  it('pauses before reporting a failed batch, but returns before the function times out', async () => {
    const { closeDb } = await import('../../functions/platform/db');
    const { dbConfig } = await import('../../functions/platform/config');
    const { ingestConfig } = await import('../../functions/market/config');
    const saved = { url: process.env.DATABASE_URL, pause: process.env.CONSUMER_FAILURE_PAUSE_MS };
    await closeDb();
    process.env.DATABASE_URL = 'postgres://nobody:nothing@127.0.0.1:1/none';
    process.env.CONSUMER_FAILURE_PAUSE_MS = '60000';
    dbConfig.reset();
    ingestConfig.reset();
    try {
      // A 2.5 s function with a 60 s pause configured: the handler must still answer in time
      // (the test's own timeout would catch a handler that waited the full minute).
      const context = lambdaContext('consumer', { timeoutMs: 2_500 });
      const event = kinesisEvent([{ data: { symbol: 'TCS', price: 1 } }]);
      const result = await handler(event, context);
      expect(result.batchItemFailures).toHaveLength(1);
      expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
    } finally {
      await closeDb();
      process.env.DATABASE_URL = saved.url;
      if (saved.pause === undefined) delete process.env.CONSUMER_FAILURE_PAUSE_MS;
      else process.env.CONSUMER_FAILURE_PAUSE_MS = saved.pause;
      dbConfig.reset();
      ingestConfig.reset();
    }
  });

  it('applies a 10,000-record batch', async () => {
    await reset();
    const symbols = Array.from({ length: 500 }, (_, i) => `SYM${i}`);
    const records = Array.from({ length: 10_000 }, (_, i) => ({
      data: { symbol: symbols[i % symbols.length], price: 100 + i / 100, ts: at(Math.floor(i / 500)) },
    }));
    const result = await handler(kinesisEvent(records), lambdaContext());
    expect(result.batchItemFailures).toEqual([]);
    const rows = await db.current.sql<
      { symbol: string; price: string }[]
    >`SELECT symbol, price::text FROM latest_prices`;
    expect(rows).toHaveLength(500);
    // Each symbol holds the price of its last (newest) tick: i = 9500 + k.
    expect(rows.find((r) => r.symbol === 'SYM7')?.price).toBe((100 + 9507 / 100).toFixed(2));
  });
});
