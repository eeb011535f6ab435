/**
 * The parts of the local poller (local/poller.ts) that do not talk to Kinesis: the checkpoint
 * file, a sleep that a stop can cut short, the Lambda event of a batch, and what a failed batch
 * means for the checkpoint (retry after a backoff, or give up at the record-age limit).
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { _Record } from '@aws-sdk/client-kinesis';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { kinesisStreamRecord } from './lambda';

/** The last processed sequence number per shard, kept in `file` (if any) so a restart resumes. */
export async function loadCheckpoints(file: string | undefined) {
  const checkpoints: Record<string, string> = file
    ? JSON.parse(await readFile(file, 'utf8').catch(() => '{}'))
    : {};
  return {
    checkpoints,
    save: async () => {
      if (file) await writeFile(file, JSON.stringify(checkpoints));
    },
  };
}

/** Sleeps that `wakeAll()` ends early, so that stopping never waits out a backoff. */
export function wakeableSleep() {
  const wakers = new Set<() => void>();
  return {
    sleep: (ms: number) =>
      new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          wakers.delete(done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        wakers.add(done);
      }),
    wakeAll: () => {
      for (const wake of [...wakers]) wake();
    },
  };
}

/** The event Lambda's Kinesis event source mapping would send for these records. */
export function kinesisEvent(stream: string, shardId: string, records: _Record[]): KinesisStreamEvent {
  return {
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
}

/** The lowest sequence number the consumer reported failed, or undefined when all succeeded. */
export function lowestFailure(response: KinesisStreamBatchResponse | undefined): string | undefined {
  const failed = (response?.batchItemFailures ?? []).map((f) => BigInt(f.itemIdentifier));
  if (failed.length === 0) return undefined;
  // biome-ignore lint/complexity/useMathMinMax: sequence numbers are bigints; Math.min cannot compare them
  return failed.reduce((a, b) => (a < b ? a : b)).toString();
}

export interface FailedBatch {
  /** The checkpoint to keep: just before the lowest failed record, or past the batch when given up. */
  checkpoint: string | undefined;
  /** The records from the lowest failed one on. */
  failed: _Record[];
  /** True when the oldest failed record reached the record-age limit. */
  giveUp: boolean;
  /** The backoff before the retry: `baseMs · 2^(attempts-1)`, at most `capMs`. */
  delayMs: number;
}

/**
 * What a failed batch means. What succeeded before the lowest failed record is never
 * redelivered; an identifier that is not in the batch fails the whole batch, as in Lambda.
 */
export function failedBatch(
  records: _Record[],
  failedFrom: string,
  previous: string | undefined,
  p: { attempts: number; nowMs: number; maxRecordAgeMs: number; retryBaseMs: number; retryCapMs: number },
): FailedBatch {
  const index = Math.max(
    0,
    records.findIndex((r) => r.SequenceNumber === failedFrom),
  );
  const failed = records.slice(index);
  const oldest = failed[0]?.ApproximateArrivalTimestamp?.getTime() ?? p.nowMs;
  const giveUp = p.nowMs - oldest >= p.maxRecordAgeMs;
  const before = (index > 0 ? records[index - 1]?.SequenceNumber : undefined) ?? previous;
  return {
    checkpoint: giveUp ? (records.at(-1)?.SequenceNumber ?? before) : before,
    failed,
    giveUp,
    delayMs: Math.min(p.retryCapMs, p.retryBaseMs * 2 ** Math.min(p.attempts - 1, 30)),
  };
}
