/**
 * Chaos: ticks sent while the database is down. The real consumer handler, fed by the local
 * poller from kinesalite, talks to the test PostgreSQL through a proxy that takes it down and
 * brings it back. Nothing may be lost: an outage longer than the old retry budget is waited out,
 * and a batch that reaches the record-age limit is described in the failure queue and applied
 * by the redrive. Sizes are small and the record age is reached by moving the poller's clock,
 * so the file runs in seconds.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { Context, KinesisStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { handler } from '../../functions/consumer';
import { dbConfig } from '../../functions/platform/config';
import { closeDb } from '../../functions/platform/db';
import { fileFailureQueue } from '../../local/failure-queue';
import { ensureStream, kinesisClient } from '../../local/kinesis';
import { type PgProxy, startPgProxy } from '../../local/pg-proxy';
import { startPoller } from '../../local/poller';
import { redrive } from '../../scripts/lib/redrive';
import { useTestDatabase } from '../helpers/db';

const db = useTestDatabase();
const client = kinesisClient(inject('kinesisEndpoint'));
let proxy: PgProxy;

beforeAll(async () => {
  // The consumer reaches the database only through the proxy.
  proxy = await startPgProxy(db.current.url);
  await closeDb();
  process.env.DATABASE_URL = proxy.url;
  dbConfig.reset();
});
afterAll(async () => {
  await closeDb();
  await proxy.close();
  client.destroy();
});

/**
 * The shared Prepare of both tests: the database is down when `n` ticks with symbols
 * `prefix00…` arrive on a stream of their own, and a poller with short retries feeds them to
 * the real consumer handler. `clock` moves the poller's clock (the record age); `seen` counts
 * the handler's invocations and those that reported failures.
 */
async function duringOutage(prefix: string, n: number, options: { maxRecordAgeMs?: number } = {}) {
  await proxy.down();
  const sent = ticks(prefix, n);
  const stream = `outage-${crypto.randomUUID().slice(0, 8)}`;
  await ensureStream(client, stream, 1);
  await client.send(
    new PutRecordsCommand({
      StreamName: stream,
      Records: sent.map((t) => ({ Data: Buffer.from(JSON.stringify(t)), PartitionKey: t.symbol })),
    }),
  );
  const failureFile = join(await mkdtemp(join(tmpdir(), 'outage-')), 'failed.jsonl');
  const seen = { failed: 0, invocations: 0 };
  const clock = { offsetMs: 0 };
  const consumer = async (event: KinesisStreamEvent, context: Context) => {
    const result = await handler(event, context);
    seen.invocations += 1;
    if (result.batchItemFailures.length > 0) seen.failed += 1;
    return result;
  };
  const poller = await startPoller({
    client,
    stream,
    handler: consumer,
    failureFile,
    idleMs: 20,
    retryBaseMs: 5,
    retryCapMs: 40,
    now: () => Date.now() + clock.offsetMs,
    ...options,
  });
  return { sent, failureFile, seen, clock, poller };
}

async function until(done: () => boolean | Promise<boolean>, what: string) {
  for (let i = 0; i < 400; i++) {
    if (await done()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out: ${what}`);
}

async function pricesOf(prefix: string) {
  return db.current.sql<{ symbol: string; price: string }[]>`
    SELECT symbol, price::text FROM latest_prices WHERE symbol LIKE ${`${prefix}%`} ORDER BY symbol`;
}

const ticks = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({ symbol: `${prefix}${String(i).padStart(2, '0')}`, price: 100 + i }));

describe('ticks during a database outage', () => {
  it('applies every tick after an outage longer than the old retry budget, quarantining none', async () => {
    // Prepare: the database is down when 30 ticks arrive.
    const { sent, failureFile, seen, poller } = await duringOutage('OUTA', 30);
    try {
      // Act: the outage outlasts 3 retries (where the old poller skipped the batch), then ends.
      await until(() => seen.failed >= 6, 'six failed attempts');
      expect(await pricesOf('OUTA')).toEqual([]);
      await proxy.up();
      await until(async () => (await pricesOf('OUTA')).length === 30, 'all 30 ticks applied');
    } finally {
      await proxy.up();
      await poller.stop();
    }
    // Assess: every tick, at its price; nothing quarantined, nothing given up on.
    expect((await pricesOf('OUTA')).map((r) => [r.symbol, r.price])).toEqual(
      sent.map((t) => [t.symbol, t.price.toFixed(2)]),
    );
    const [{ n } = { n: -1 }] = await db.current.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM quarantined_ticks`;
    expect(n).toBe(0);
    expect(existsSync(failureFile)).toBe(false);
  });

  it('queues a batch that reached the record-age limit, and the redrive applies it once the database is back', async () => {
    // Prepare: ticks arrive during an outage that lasts past the record-age limit.
    const { sent, failureFile, seen, clock, poller } = await duringOutage('OUTB', 5, {
      maxRecordAgeMs: 3_600_000,
    });
    try {
      await until(() => seen.failed >= 2, 'failed attempts');
      clock.offsetMs = 3_600_000; // an hour later, still down
      await until(() => existsSync(failureFile), 'the failure record');
    } finally {
      await poller.stop();
    }
    const queued = (await readFile(failureFile, 'utf8')).trim().split('\n');
    expect(queued).toHaveLength(1);
    expect(await pricesOf('OUTB')).toEqual([]);

    // A redrive while the database is still down keeps the message.
    const early = await redrive({ queue: await fileFailureQueue(failureFile), kinesis: client, handler });
    expect(early).toMatchObject({ redriven: 0, kept: 1 });
    expect((await readFile(failureFile, 'utf8')).trim().split('\n')).toEqual(queued);

    // Act: the database is back; the operator runs the redrive.
    await proxy.up();
    const result = await redrive({ queue: await fileFailureQueue(failureFile), kinesis: client, handler });

    // Assess: every tick applied, the message gone; a second run has nothing to do.
    expect(result).toEqual({ redriven: 1, records: 5, kept: 0 });
    expect((await pricesOf('OUTB')).map((r) => [r.symbol, r.price])).toEqual(
      sent.map((t) => [t.symbol, t.price.toFixed(2)]),
    );
    expect(existsSync(failureFile)).toBe(false);
    const again = await redrive({ queue: await fileFailureQueue(failureFile), kinesis: client, handler });
    expect(again).toEqual({ redriven: 0, records: 0, kept: 0 });
  });
});
