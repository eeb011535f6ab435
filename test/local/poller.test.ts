/**
 * The local poller must feed the consumer as the Lambda event source mapping does: in order per
 * shard, retrying from the lowest sequence number reported in batchItemFailures (never
 * redelivering what succeeded before it), resuming from its checkpoint after a restart, retrying
 * with backoff as long as the records are younger than the record-age limit, and only then
 * describing the batch in the failure file and moving on.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { kinesisFailureRecordSchema } from '../../local/failure-queue';
import { ensureStream, kinesisClient } from '../../local/kinesis';
import { startPoller } from '../../local/poller';

const client = kinesisClient(inject('kinesisEndpoint'));
afterAll(() => client.destroy());

async function streamWith(values: string[]): Promise<string> {
  const stream = `poller-${crypto.randomUUID().slice(0, 8)}`;
  await ensureStream(client, stream, 1);
  await client.send(
    new PutRecordsCommand({
      StreamName: stream,
      Records: values.map((v) => ({ Data: Buffer.from(v), PartitionKey: 'k' })),
    }),
  );
  return stream;
}

const text = (event: KinesisStreamEvent) =>
  event.Records.map((r) => Buffer.from(r.kinesis.data, 'base64').toString());

async function until(done: () => boolean, what: string) {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!done()) throw new Error(`timed out: ${what}`);
}

describe('local poller', () => {
  it('retries from the lowest failed sequence number, never redelivering what came before it', async () => {
    const stream = await streamWith(['a', 'b', 'c', 'd', 'e']);
    const deliveries: string[][] = [];
    let failOnce = true;
    const poller = await startPoller({
      client,
      stream,
      idleMs: 20,
      handler: async (event): Promise<KinesisStreamBatchResponse> => {
        deliveries.push(text(event));
        if (failOnce) {
          failOnce = false;
          // Report c and e (out of order): the retry must start at c, the lowest.
          const [, , c, , e] = event.Records;
          return {
            batchItemFailures: [e, c].map((r) => ({ itemIdentifier: r?.kinesis.sequenceNumber ?? '' })),
          };
        }
        return { batchItemFailures: [] };
      },
    });
    await until(() => deliveries.length >= 2, 'the retry');
    await poller.stop();
    expect(deliveries).toEqual([
      ['a', 'b', 'c', 'd', 'e'],
      ['c', 'd', 'e'],
    ]);
  });

  it('resumes after a restart from its checkpoint file', async () => {
    const stream = await streamWith(['one', 'two']);
    const checkpointFile = join(await mkdtemp(join(tmpdir(), 'poller-')), 'checkpoints.json');
    const seen: string[] = [];
    const handler = async (event: KinesisStreamEvent) => {
      seen.push(...text(event));
      return { batchItemFailures: [] };
    };
    const first = await startPoller({ client, stream, checkpointFile, handler, idleMs: 20 });
    await until(() => seen.length === 2, 'first delivery');
    await first.stop();

    await client.send(
      new PutRecordsCommand({
        StreamName: stream,
        Records: [{ Data: Buffer.from('three'), PartitionKey: 'k' }],
      }),
    );
    const second = await startPoller({ client, stream, checkpointFile, handler, idleMs: 20 });
    await until(() => seen.length >= 3, 'delivery after restart');
    await second.stop();
    expect(seen).toEqual(['one', 'two', 'three']);
  });

  it('keeps retrying a failing batch with backoff, never moving past it, until it succeeds', async () => {
    // Prepare: a consumer that fails 8 times (the old poller gave up after 3 retries).
    const stream = await streamWith(['first', 'second']);
    const checkpointFile = join(await mkdtemp(join(tmpdir(), 'poller-')), 'checkpoints.json');
    const attempts: string[][] = [];
    const poller = await startPoller({
      client,
      stream,
      checkpointFile,
      idleMs: 20,
      retryBaseMs: 1,
      retryCapMs: 5,
      handler: async (event) => {
        attempts.push(text(event));
        const failing = attempts.length <= 8;
        return {
          batchItemFailures: failing
            ? event.Records.map((r) => ({ itemIdentifier: r.kinesis.sequenceNumber }))
            : [],
        };
      },
    });
    // Act
    await until(() => attempts.length >= 9, 'the ninth attempt');
    await poller.stop();
    // Assess: the same batch every time, and the checkpoint only after it succeeded.
    expect(attempts.slice(0, 9)).toEqual(Array.from({ length: 9 }, () => ['first', 'second']));
    const saved = JSON.parse(await readFile(checkpointFile, 'utf8')) as Record<string, string>;
    expect(Object.values(saved)).toHaveLength(1);
  });

  it('gives up on a batch only at the record-age limit, describing it in the failure file as Lambda does', async () => {
    const stream = await streamWith(['stuck-1', 'stuck-2']);
    const dir = await mkdtemp(join(tmpdir(), 'poller-'));
    const failureFile = join(dir, 'failed.jsonl');
    const attempts: string[][] = [];
    let clockOffsetMs = 0;
    const poller = await startPoller({
      client,
      stream,
      failureFile,
      idleMs: 20,
      retryBaseMs: 1,
      retryCapMs: 5,
      maxRecordAgeMs: 3_600_000,
      now: () => Date.now() + clockOffsetMs,
      handler: async (event) => {
        attempts.push(text(event));
        const stuck = event.Records.filter((r) => atob(r.kinesis.data).startsWith('stuck'));
        return { batchItemFailures: stuck.map((r) => ({ itemIdentifier: r.kinesis.sequenceNumber })) };
      },
    });
    await until(() => attempts.length >= 3, 'retries');
    expect(existsSync(failureFile)).toBe(false);
    // Act: the records turn an hour old while still failing.
    clockOffsetMs = 3_600_000;
    await until(() => existsSync(failureFile), 'the failure record');
    await client.send(
      new PutRecordsCommand({
        StreamName: stream,
        Records: [{ Data: Buffer.from('later'), PartitionKey: 'k' }],
      }),
    );
    await until(() => attempts.some((a) => a.includes('later')), 'the next record');
    await poller.stop();
    // Assess: one record in AWS's on-failure shape, naming the range, and the shard moved on.
    const lines = (await readFile(failureFile, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(1);
    const record = kinesisFailureRecordSchema.parse(JSON.parse(lines[0] ?? ''));
    expect(record.requestContext?.condition).toBe('RecordAgeExceeded');
    expect(record.KinesisBatchInfo).toMatchObject({
      shardId: 'shardId-000000000000',
      batchSize: 2,
      streamArn: expect.stringMatching(new RegExp(`:stream/${stream}$`)),
    });
    expect(BigInt(record.KinesisBatchInfo.endSequenceNumber)).toBeGreaterThan(
      BigInt(record.KinesisBatchInfo.startSequenceNumber),
    );
    expect(attempts.at(-1)).toEqual(['later']);
  });

  it('stops at once while waiting out a backoff', async () => {
    const stream = await streamWith(['x']);
    let attempts = 0;
    const poller = await startPoller({
      client,
      stream,
      idleMs: 20,
      retryBaseMs: 600_000,
      handler: async (event) => {
        attempts += 1;
        return { batchItemFailures: [{ itemIdentifier: event.Records[0]?.kinesis.sequenceNumber ?? '' }] };
      },
    });
    await until(() => attempts === 1, 'the first attempt');
    // The test's own timeout bounds this: a 10-minute backoff must not hold up stop().
    await poller.stop();
    expect(attempts).toBe(1);
  });
});
