/**
 * `npm start` publishes its seed file at every start. A restart must not move live prices
 * backwards: the seed carries the file's time, so a newer live tick keeps its price.
 */
import { mkdtemp, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { handler } from '../../functions/consumer';
import { ensureStream, kinesisClient } from '../../local/kinesis';
import { startPoller } from '../../local/poller';
import {
  importSampleHistory,
  PRICE_ONLY_FIELDS,
  pickFields,
  publishSeed,
  sampleHistory,
  stampTicks,
  startOfNextSession,
} from '../../local/seed';
import { useTestDatabase } from '../helpers/db';

const db = useTestDatabase();
const client = kinesisClient(inject('kinesisEndpoint'));
afterAll(() => client.destroy());

async function price(symbol: string): Promise<string | undefined> {
  const [row] = await db.current.sql<{ price: string }[]>`
    SELECT price::text FROM latest_prices WHERE symbol = ${symbol}`;
  return row?.price;
}

async function until(done: () => Promise<boolean>, what: string) {
  for (let i = 0; i < 400; i++) {
    if (await done()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out: ${what}`);
}

describe('the seed of npm start', () => {
  it('never overwrites a newer live tick when published again at a restart', async () => {
    // Prepare: a seed file last edited a day ago, published by a first start and applied.
    const dir = await mkdtemp(join(tmpdir(), 'seed-'));
    const file = join(dir, 'stocks.csv');
    await writeFile(
      file,
      'symbol,name,sector,price\nSEEDA,Seed A Ltd,Energy,100.00\nSEEDB,Seed B Ltd,IT,200.00\n',
    );
    // Whole seconds: file systems keep modification times in their own precision.
    const yesterday = new Date(Math.floor(Date.now() / 1000) * 1000 - 86_400_000);
    await utimes(file, yesterday, yesterday);
    const stream = `seed-${crypto.randomUUID().slice(0, 8)}`;
    await ensureStream(client, stream, 1);
    const poller = await startPoller({ client, stream, handler, idleMs: 20 });
    try {
      await publishSeed(client, stream, file);
      await until(async () => (await price('SEEDB')) === '200.00', 'the seed');

      // A live tick (no ts: its arrival time) moves SEEDA.
      await client.send(
        new PutRecordCommand({
          StreamName: stream,
          PartitionKey: 'SEEDA',
          Data: Buffer.from(JSON.stringify({ symbol: 'SEEDA', price: 123.45 })),
        }),
      );
      await until(async () => (await price('SEEDA')) === '123.45', 'the live tick');

      // Act: a restart publishes the seed again; a sentinel after it shows it was consumed.
      await publishSeed(client, stream, file);
      await client.send(
        new PutRecordCommand({
          StreamName: stream,
          PartitionKey: 'SENTINEL',
          Data: Buffer.from(JSON.stringify({ symbol: 'SENTINEL', price: 1 })),
        }),
      );
      await until(async () => (await price('SENTINEL')) !== undefined, 'the sentinel');
    } finally {
      await poller.stop();
    }

    // Assess: the live price stands; the seed still fills what it alone knows.
    expect(await price('SEEDA')).toBe('123.45');
    expect(await price('SEEDB')).toBe('200.00');
    const [row] = await db.current.sql<{ name: string; ts: Date }[]>`
      SELECT name, ts FROM latest_prices WHERE symbol = 'SEEDB'`;
    expect(row?.name).toBe('Seed B Ltd');
    expect(row?.ts.toISOString()).toBe(yesterday.toISOString());
  });

  it('keeps a ts the file gives, and leaves lines that are not JSON objects alone', () => {
    const stamped = stampTicks(
      [
        { data: '{"symbol":"A","price":1,"ts":"2026-11-01T00:00:00Z"}', partitionKey: 'A' },
        { data: '{"symbol":"B","price":2}', partitionKey: 'B' },
        { data: 'not json', partitionKey: 'unparsable' },
      ],
      '2026-11-02T00:00:00.000Z',
    );
    expect(stamped.map((t) => t.data)).toEqual([
      '{"symbol":"A","price":1,"ts":"2026-11-01T00:00:00Z"}',
      '{"symbol":"B","price":2,"ts":"2026-11-02T00:00:00.000Z"}',
      'not json',
    ]);
  });

  it('with sample history: sends prices only, in a session after the history, the same at every restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'seed-history-'));
    const file = join(dir, 'stocks.csv');
    await writeFile(
      file,
      'symbol,name,sector,price,change_1d_pct,volatility\nSEEDC,Seed C Ltd,IT,300.00,1.5,0.02\n',
    );
    // A file older than the history's last session (a fresh clone keeps no times; a copy may).
    const old = new Date('2026-11-01T10:00:00Z');
    await utimes(file, old, old);
    const stream = `seed-${crypto.randomUUID().slice(0, 8)}`;
    await ensureStream(client, stream, 1);
    const notBeforeMs = startOfNextSession('2026-12-04');
    const now = Date.parse('2026-12-08T05:00:00Z');
    await publishSeed(client, stream, file, now, { fields: PRICE_ONLY_FIELDS, notBeforeMs });
    const poller = await startPoller({ client, stream, handler, idleMs: 20 });
    try {
      await until(async () => (await price('SEEDC')) === '300.00', 'the seed');
    } finally {
      await poller.stop();
    }
    const [row] = await db.current.sql<
      { ts: Date; change_1d_pct: number | null; volatility: number | null }[]
    >`
      SELECT ts, change_1d_pct, volatility FROM latest_prices WHERE symbol = 'SEEDC'`;
    // 00:00 IST on 2026-12-05: the day after the history's last session.
    expect(row?.ts.toISOString()).toBe('2026-12-04T18:30:00.000Z');
    expect([row?.change_1d_pct, row?.volatility]).toEqual([null, null]);
  });

  it('keeps only the fields a real feed sends (and ts)', () => {
    const picked = pickFields(
      [
        {
          data: '{"symbol":"A","price":1,"change_7d_pct":2,"volatility":0.1,"ts":"2026-11-01T00:00:00Z"}',
          partitionKey: 'A',
        },
      ],
      PRICE_ONLY_FIELDS,
    );
    expect(picked.map((t) => t.data)).toEqual(['{"symbol":"A","price":1,"ts":"2026-11-01T00:00:00Z"}']);
  });

  it('imports the sample history on a first start only', async () => {
    await db.current.sql`TRUNCATE daily_bars`;
    const { files, lastSession } = await sampleHistory(
      join(import.meta.dirname, '../../data/sample-history'),
    );
    expect(lastSession).toBe('2026-12-04');
    const firstTwo = files.slice(0, 2);
    expect(await importSampleHistory(db.current.sql, firstTwo)).toMatch(
      /Imported \d+ bars from 2 of 2 files/,
    );
    const [before] = await db.current.sql<{ n: number; newest: Date }[]>`
      SELECT count(*)::int AS n, max(updated_at) AS newest FROM daily_bars`;
    expect(await importSampleHistory(db.current.sql, files)).toBe(
      'daily bars present; sample history not imported',
    );
    const [after] = await db.current.sql<{ n: number; newest: Date }[]>`
      SELECT count(*)::int AS n, max(updated_at) AS newest FROM daily_bars`;
    expect(after).toEqual(before);
  });
});
