/**
 * The on-failure destination of a Kinesis event source mapping, and its local stand-in.
 *
 * When the mapping gives up on a batch (record age or retry limit reached) it sends the
 * destination a JSON description of the batch (shard, first and last sequence number), never the
 * records themselves: those stay in the stream until its retention ends. In AWS the destination
 * is an SQS queue; under `npm start` the local poller appends the same JSON, one object a line,
 * to a file under `.local/`. `npm run redrive` reads either (scripts/lib/redrive.ts).
 */
import { appendFile, readdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';

/** What Lambda sends the on-failure destination of a Kinesis mapping (fields we read). */
export const kinesisFailureRecordSchema = z.object({
  requestContext: z
    .object({ condition: z.string().optional(), approximateInvokeCount: z.number().optional() })
    .optional(),
  timestamp: z.string().optional(),
  KinesisBatchInfo: z.object({
    shardId: z.string().min(1),
    startSequenceNumber: z.string().regex(/^\d{1,129}$/),
    endSequenceNumber: z.string().regex(/^\d{1,129}$/),
    approximateArrivalOfFirstRecord: z.string().optional(),
    approximateArrivalOfLastRecord: z.string().optional(),
    batchSize: z.number().int().positive(),
    streamArn: z.string().regex(/^arn:[^:]+:kinesis:[^:]*:\d*:stream\/.+$/),
  }),
});
export type KinesisFailureRecord = z.infer<typeof kinesisFailureRecordSchema>;

export interface FailedBatch {
  stream: string;
  shardId: string;
  /** Sequence numbers of the records given up on, in stream order. */
  sequenceNumbers: string[];
  arrivals: Date[];
  condition: 'RecordAgeExceeded' | 'RetryAttemptsExhausted';
  attempts: number;
  now: Date;
}

/** The local equivalent of the ARN Lambda puts in `streamArn` (see local/lambda.ts). */
const localStreamArn = (stream: string) => `arn:aws:kinesis:ap-south-1:000000000000:stream/${stream}`;

/** The stream name in a Kinesis stream ARN. */
export const streamNameOf = (arn: string) => arn.slice(arn.indexOf(':stream/') + ':stream/'.length);

/** The record Lambda would send for `batch`, in AWS's shape. */
export function failureRecord(batch: FailedBatch) {
  const record = {
    requestContext: {
      requestId: crypto.randomUUID(),
      functionArn: 'arn:aws:lambda:ap-south-1:000000000000:function:consumer',
      condition: batch.condition,
      approximateInvokeCount: batch.attempts,
    },
    responseContext: { statusCode: 200, executedVersion: '$LATEST' },
    version: '1.0',
    timestamp: batch.now.toISOString(),
    KinesisBatchInfo: {
      shardId: batch.shardId,
      startSequenceNumber: batch.sequenceNumbers[0] ?? '0',
      endSequenceNumber: batch.sequenceNumbers.at(-1) ?? '0',
      approximateArrivalOfFirstRecord: batch.arrivals[0]?.toISOString(),
      approximateArrivalOfLastRecord: batch.arrivals.at(-1)?.toISOString(),
      batchSize: batch.sequenceNumbers.length,
      streamArn: localStreamArn(batch.stream),
    },
  };
  return record satisfies KinesisFailureRecord;
}

/** Append one failure record to the local queue file. */
export async function appendFailure(file: string, record: KinesisFailureRecord): Promise<void> {
  await appendFile(file, `${JSON.stringify(record)}\n`);
}

/** One message of a failure queue: its body, and a way to remove it once handled. */
export interface FailureMessage {
  body: string;
  delete(): Promise<void>;
}

/** A failure queue as the redrive reads it: SQS in AWS, a JSONL file locally. */
export interface FailureQueue {
  /** The next messages not yet handed out in this run; empty when there are no more. */
  receive(): Promise<FailureMessage[]>;
  /** End the run: what was received and not deleted stays queued. */
  close(): Promise<void>;
}

/**
 * The local queue file, read the way a consumer of a queue would: the file is first renamed to
 * a claim of this run (the poller keeps appending to a new file meanwhile), and at the end the
 * lines not deleted are appended back. A claim left by a crashed run is picked up by the next.
 */
export async function fileFailureQueue(file: string): Promise<FailureQueue> {
  const dir = dirname(file);
  const claim = `${basename(file)}.redrive-${process.pid}-${Date.now()}`;
  await rename(file, join(dir, claim)).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  const claims = (await readdir(dir).catch(() => [] as string[]))
    .filter((name) => name.startsWith(`${basename(file)}.redrive-`))
    .map((name) => join(dir, name));
  const lines: string[] = [];
  for (const path of claims) {
    lines.push(...(await readFile(path, 'utf8')).split('\n').filter((line) => line.trim() !== ''));
  }
  const kept = new Set(lines.keys());
  let handedOut = false;
  return {
    async receive() {
      if (handedOut) return [];
      handedOut = true;
      return lines.map((body, i) => ({ body, delete: async () => void kept.delete(i) }));
    },
    async close() {
      const rest = [...kept].map((i) => lines[i]);
      if (rest.length > 0) await appendFile(file, `${rest.join('\n')}\n`);
      for (const path of claims) await rm(path, { force: true });
    },
  };
}

/** Where `npm start` keeps the failure queue of `stream` (and `npm run redrive` reads it). */
export const localFailureFile = (dir: string, stream: string) => join(dir, `failed-batches-${stream}.jsonl`);
