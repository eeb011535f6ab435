/**
 * What the local poller does with a batch the consumer failed (local/poller-batch.ts): where the
 * checkpoint goes, when it gives up, how long it backs off. The poller's end-to-end behaviour
 * against kinesalite is in poller.test.ts and ../ingest/outage.test.ts.
 */
import type { _Record } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { failedBatch, lowestFailure } from '../../local/poller-batch';

const HOUR = 3_600_000;
const arrived = 1_000 * HOUR;
const records: _Record[] = ['11', '12', '13', '14'].map((n) => ({
  SequenceNumber: n,
  PartitionKey: 'k',
  Data: new Uint8Array(),
  ApproximateArrivalTimestamp: new Date(arrived),
}));
const policy = (attempts: number, ageMs: number) => ({
  attempts,
  nowMs: arrived + ageMs,
  maxRecordAgeMs: 6 * HOUR,
  retryBaseMs: 200,
  retryCapMs: 10_000,
});

describe('a failed batch', () => {
  it('keeps what succeeded before the lowest failure and retries from it, with a capped backoff', () => {
    expect(failedBatch(records, '13', '10', policy(1, 0))).toEqual({
      checkpoint: '12',
      failed: records.slice(2),
      giveUp: false,
      delayMs: 200,
    });
    expect(failedBatch(records, '13', '10', policy(4, 0)).delayMs).toBe(1_600);
    expect(failedBatch(records, '13', '10', policy(60, 0)).delayMs).toBe(10_000);
  });

  it('fails the whole batch for an identifier not in it, keeping the previous checkpoint', () => {
    expect(failedBatch(records, '99', '10', policy(1, 0))).toMatchObject({
      checkpoint: '10',
      failed: records,
    });
  });

  it('gives up at the record-age limit and moves the checkpoint past the batch', () => {
    expect(failedBatch(records, '12', '10', policy(3, 6 * HOUR - 1)).giveUp).toBe(false);
    expect(failedBatch(records, '12', '10', policy(3, 6 * HOUR))).toMatchObject({
      checkpoint: '14',
      failed: records.slice(1),
      giveUp: true,
    });
  });
});

describe('the lowest failure a consumer reports', () => {
  it('compares sequence numbers as numbers, not text', () => {
    const failures = ['49590338271490256608559692538361571095921575989136588898', '9'];
    expect(lowestFailure({ batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) })).toBe(
      '9',
    );
    expect(lowestFailure({ batchItemFailures: [] })).toBeUndefined();
    expect(lowestFailure(undefined)).toBeUndefined();
  });
});
