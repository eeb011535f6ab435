/**
 * Typed event factories: Kinesis batches and API Gateway v2 HTTP events, as AWS delivers them.
 * The shapes themselves are local/lambda.ts's (the DR drill builds the same); this adds the
 * tests' defaults and fast-check deliveries.
 */
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import fc from 'fast-check';
import {
  type ApiEventInput,
  apiEvent,
  lambdaContext,
  type TickRecordInput,
  tickRecord,
} from '../../local/lambda';

export { type ApiEventInput, apiEvent, lambdaContext };

let sequence = 49_650_000_000_000_000_000_000_000_000_000_000_000_000_000n;

function nextSequenceNumber(): string {
  sequence += 1n;
  return sequence.toString();
}

export type RecordInput = Omit<TickRecordInput, 'sequenceNumber' | 'arrivalMs'> &
  Partial<Pick<TickRecordInput, 'sequenceNumber' | 'arrivalMs'>>;

/** A price tick record; by default the next sequence number, arrived now. */
export function kinesisRecord(input: RecordInput): KinesisStreamRecord {
  return tickRecord({
    ...input,
    sequenceNumber: input.sequenceNumber ?? nextSequenceNumber(),
    arrivalMs: input.arrivalMs ?? Date.now(),
  });
}

export function kinesisEvent(records: Array<RecordInput | KinesisStreamRecord>): KinesisStreamEvent {
  return { Records: records.map((r) => ('kinesis' in r ? r : kinesisRecord(r))) };
}

/**
 * One to twelve ticks delivered more than one way, for order-independence properties: the
 * `records` in order; the same records `shuffled` and cut at `split` into two batches; and
 * `again`, some of them to deliver once more (duplicates, replays).
 */
export function deliveries(tick: fc.Arbitrary<unknown>, arrivalMs: number) {
  return fc
    .array(tick, { minLength: 1, maxLength: 12 })
    .map((ticks) => ticks.map((data) => kinesisRecord({ data, arrivalMs })))
    .chain((records) =>
      fc.record({
        records: fc.constant(records),
        shuffled: fc.shuffledSubarray(records, { minLength: records.length }),
        split: fc.integer({ min: 1, max: records.length }),
        again: fc.subarray(records),
      }),
    );
}
