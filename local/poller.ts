/**
 * Feeds the consumer from the local stream the way a Lambda Kinesis event source mapping does:
 * one loop per shard, batches of up to `batchSize` records, a checkpoint per shard (kept in a
 * file so a restart resumes), and on `batchItemFailures` a retry from the lowest failed
 * sequence number. After `maxRetries` failed retries the batch is skipped and logged, as the
 * mapping would after MaximumRetryAttempts (sending metadata to its failure destination).
 */
import { readFile, writeFile } from 'node:fs/promises';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
  type ShardIteratorType,
} from '@aws-sdk/client-kinesis';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { kinesisStreamRecord, lambdaContext } from './lambda';

export interface PollerOptions {
  client: KinesisClient;
  stream: string;
  handler: (event: KinesisStreamEvent, context: Context) => Promise<KinesisStreamBatchResponse | undefined>;
  /** File that keeps the last processed sequence number per shard. */
  checkpointFile?: string;
  batchSize?: number;
  idleMs?: number;
  maxRetries?: number;
  log?: (message: string) => void;
}

export interface Poller {
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startPoller(options: PollerOptions): Promise<Poller> {
  const { client, stream } = options;
  const batchSize = options.batchSize ?? 1000;
  const idleMs = options.idleMs ?? 250;
  const maxRetries = options.maxRetries ?? 3;
  const log = options.log ?? (() => {});
  let checkpoints: Record<string, string> = {};
  if (options.checkpointFile) {
    checkpoints = JSON.parse(await readFile(options.checkpointFile, 'utf8').catch(() => '{}')) as Record<
      string,
      string
    >;
  }
  const saveCheckpoints = async () => {
    if (options.checkpointFile) await writeFile(options.checkpointFile, JSON.stringify(checkpoints));
  };

  let stopping = false;

  async function iterator(shardId: string): Promise<string | undefined> {
    const after = checkpoints[shardId];
    const type: ShardIteratorType = after ? 'AFTER_SEQUENCE_NUMBER' : 'TRIM_HORIZON';
    const out = await client.send(
      new GetShardIteratorCommand({
        StreamName: stream,
        ShardId: shardId,
        ShardIteratorType: type,
        StartingSequenceNumber: after,
      }),
    );
    return out.ShardIterator;
  }

  async function pollShard(shardId: string): Promise<void> {
    let it = await iterator(shardId);
    let failures = 0;
    while (!stopping && it) {
      const out = await client.send(new GetRecordsCommand({ ShardIterator: it, Limit: batchSize }));
      const records = out.Records ?? [];
      if (records.length === 0) {
        it = out.NextShardIterator;
        await sleep(idleMs);
        continue;
      }
      const event = {
        Records: records.map((r) =>
          kinesisStreamRecord({
            stream,
            shardId,
            sequenceNumber: r.SequenceNumber ?? '0',
            partitionKey: r.PartitionKey ?? '',
            data: r.Data ?? new Uint8Array(),
            arrivalMs: r.ApproximateArrivalTimestamp?.getTime() ?? Date.now(),
          }),
        ),
      };
      let failedFrom: string | undefined;
      try {
        const response = await options.handler(event, lambdaContext('consumer'));
        const failed = (response?.batchItemFailures ?? []).map((f) => BigInt(f.itemIdentifier));
        // biome-ignore lint/complexity/useMathMinMax: sequence numbers are bigints; Math.min cannot compare them
        if (failed.length > 0) failedFrom = failed.reduce((a, b) => (a < b ? a : b)).toString();
      } catch (error) {
        log(`consumer threw: ${(error as Error).message}`);
        failedFrom = event.Records[0]?.kinesis.sequenceNumber;
      }
      if (failedFrom === undefined) {
        failures = 0;
        checkpoints[shardId] = records.at(-1)?.SequenceNumber ?? checkpoints[shardId] ?? '';
        await saveCheckpoints();
        it = out.NextShardIterator;
        continue;
      }
      // Checkpoint just before the lowest failed record, then retry from it.
      const index = records.findIndex((r) => r.SequenceNumber === failedFrom);
      const before = index > 0 ? records[index - 1]?.SequenceNumber : undefined;
      if (before) checkpoints[shardId] = before;
      failures += 1;
      if (failures > maxRetries) {
        log(
          `shard ${shardId}: giving up on records from ${failedFrom} after ${maxRetries} retries; skipping the batch`,
        );
        checkpoints[shardId] = records.at(-1)?.SequenceNumber ?? checkpoints[shardId] ?? '';
        failures = 0;
      } else {
        await sleep(Math.min(5000, 200 * 2 ** failures));
      }
      await saveCheckpoints();
      it = await iterator(shardId);
    }
  }

  const { Shards = [] } = await client.send(new ListShardsCommand({ StreamName: stream }));
  const loops = Shards.map(async (shard) => {
    while (!stopping) {
      try {
        await pollShard(shard.ShardId ?? '');
      } catch (error) {
        if (stopping) break;
        log(`poller for ${shard.ShardId} failed, restarting in 1 s: ${(error as Error).message}`);
        await sleep(1000);
      }
    }
  });

  return {
    async stop() {
      stopping = true;
      await Promise.all(loops);
      await saveCheckpoints();
    },
  };
}
