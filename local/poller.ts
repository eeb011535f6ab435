/**
 * Feeds the consumer from the local stream the way a Lambda Kinesis event source mapping does:
 * one loop per shard, batches of up to `batchSize` records, a checkpoint per shard (kept in a
 * file so a restart resumes), and on `batchItemFailures` (or a thrown error) a retry from the
 * lowest failed sequence number, never advancing the checkpoint past it.
 *
 * Failures are retried with capped exponential backoff for as long as the failed records are
 * younger than `maxRecordAgeMs` (the mapping's MaximumRecordAgeInSeconds). The consumer
 * quarantines bad records itself, so the only failures left are transient (database down) and
 * retrying is always right; only a batch still failing at the age limit is given up on. It is
 * then described, in the shape Lambda sends its on-failure destination, in `failureFile`, and
 * `npm run redrive` can apply it later from the stream.
 *
 * One difference from AWS: Lambda also skips records that are already older than the limit
 * when first read; here a record is always tried at least once.
 */
import {
  type _Record,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
  type ShardIteratorType,
} from '@aws-sdk/client-kinesis';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { appendFailure, failureRecord } from './failure-queue';
import { lambdaContext } from './lambda';
import { failedBatch, kinesisEvent, loadCheckpoints, lowestFailure, wakeableSleep } from './poller-batch';

/** Local default of the record-age limit; the CDK mapping uses the same (lib/stacks/ingest-stack.ts). */
export const DEFAULT_MAX_RECORD_AGE_MS = 6 * 3600_000;

export interface PollerOptions {
  client: KinesisClient;
  stream: string;
  handler: (event: KinesisStreamEvent, context: Context) => Promise<KinesisStreamBatchResponse | undefined>;
  /** File that keeps the last processed sequence number per shard. */
  checkpointFile?: string;
  /** JSONL file that receives the description of each batch given up on (the failure queue). */
  failureFile?: string;
  batchSize?: number;
  idleMs?: number;
  /** Give up on failing records once they are this old (default 6 h). */
  maxRecordAgeMs?: number;
  /** Backoff between retries: `retryBaseMs · 2^(n-1)`, at most `retryCapMs` (200 ms, 10 s). */
  retryBaseMs?: number;
  retryCapMs?: number;
  /** The clock record ages are measured with (tests move it). */
  now?: () => number;
  log?: (message: string) => void;
}

export interface Poller {
  /** Stop polling; waits at most `waitMs` (default 2 s) for a consumer call in progress. */
  stop(waitMs?: number): Promise<void>;
}

export async function startPoller(options: PollerOptions): Promise<Poller> {
  const { client, stream } = options;
  const batchSize = options.batchSize ?? 1000;
  const idleMs = options.idleMs ?? 250;
  const maxRecordAgeMs = options.maxRecordAgeMs ?? DEFAULT_MAX_RECORD_AGE_MS;
  const retryBaseMs = options.retryBaseMs ?? 200;
  const retryCapMs = options.retryCapMs ?? 10_000;
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {});
  const { checkpoints, save: saveCheckpoints } = await loadCheckpoints(options.checkpointFile);
  let stopping = false;
  const { sleep, wakeAll } = wakeableSleep();

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

  /** Invoke the consumer; the lowest failed sequence number, or undefined when all succeeded. */
  async function invoke(shardId: string, records: _Record[]): Promise<string | undefined> {
    const event = kinesisEvent(stream, shardId, records);
    try {
      return lowestFailure(await options.handler(event, lambdaContext('consumer')));
    } catch (error) {
      log(`consumer threw: ${(error as Error).message}`);
      return event.Records[0]?.kinesis.sequenceNumber;
    }
  }

  async function giveUp(shardId: string, failed: _Record[], attempts: number): Promise<void> {
    const sequenceNumbers = failed.map((r) => r.SequenceNumber ?? '0');
    log(
      `shard ${shardId}: records ${sequenceNumbers[0]}…${sequenceNumbers.at(-1)} reached the record-age ` +
        `limit after ${attempts} attempts; described in ${options.failureFile ?? '(no failure file)'} for npm run redrive`,
    );
    if (!options.failureFile) return;
    const record = failureRecord({
      stream,
      shardId,
      sequenceNumbers,
      arrivals: failed.map((r) => r.ApproximateArrivalTimestamp ?? new Date(now())),
      condition: 'RecordAgeExceeded',
      attempts,
      now: new Date(now()),
    });
    await appendFailure(options.failureFile, record);
  }

  async function pollShard(shardId: string): Promise<void> {
    let it = await iterator(shardId);
    let attempts = 0;
    while (!stopping && it) {
      const out = await client.send(new GetRecordsCommand({ ShardIterator: it, Limit: batchSize }));
      const records = out.Records ?? [];
      if (records.length === 0) {
        it = out.NextShardIterator;
        await sleep(idleMs);
        continue;
      }
      attempts += 1;
      const failedFrom = await invoke(shardId, records);
      if (failedFrom === undefined) {
        attempts = 0;
        checkpoints[shardId] = records.at(-1)?.SequenceNumber ?? checkpoints[shardId] ?? '';
        await saveCheckpoints();
        it = out.NextShardIterator;
        continue;
      }
      const batch = failedBatch(records, failedFrom, checkpoints[shardId], {
        attempts,
        nowMs: now(),
        maxRecordAgeMs,
        retryBaseMs,
        retryCapMs,
      });
      if (batch.giveUp) await giveUp(shardId, batch.failed, attempts);
      if (batch.checkpoint !== undefined) checkpoints[shardId] = batch.checkpoint;
      if (batch.giveUp) attempts = 0;
      else await sleep(batch.delayMs);
      await saveCheckpoints();
      if (!stopping) it = await iterator(shardId);
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
    /**
     * Stop polling. Resolves when every shard loop has ended, or after `waitMs` if the consumer is
     * still busy (a stuck database call must not hold up shutdown; the checkpoint is then simply
     * not advanced past that batch, which is redelivered on the next start).
     */
    async stop(waitMs = 2_000) {
      stopping = true;
      wakeAll();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(loops),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, waitMs);
        }),
      ]);
      clearTimeout(timer);
      await saveCheckpoints();
    },
  };
}
