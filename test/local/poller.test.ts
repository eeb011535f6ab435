/**
 * The local poller must feed the consumer as the Lambda event source mapping does: in order per
 * shard, retrying from the lowest sequence number reported in batchItemFailures (never
 * redelivering what succeeded before it), resuming from its checkpoint after a restart, and
 * skipping a batch only after the retry limit.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { afterAll, describe, expect, inject, it } from 'vitest';
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

  it('skips a batch that keeps failing after the retry limit, and logs it', async () => {
    const stream = await streamWith(['poison', 'next']);
    const attempts: string[][] = [];
    const logs: string[] = [];
    const poller = await startPoller({
      client,
      stream,
      idleMs: 20,
      maxRetries: 1,
      log: (line) => logs.push(line),
      handler: async (event) => {
        attempts.push(text(event));
        return {
          batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.kinesis.sequenceNumber })),
        };
      },
    });
    await until(() => logs.some((l) => l.includes('giving up')), 'giving up');
    await poller.stop();
    expect(attempts.slice(0, 2)).toEqual([
      ['poison', 'next'],
      ['poison', 'next'],
    ]);
    expect(logs.join('\n')).toMatch(/giving up on records from \d+ after 1 retries/);
  });
});
