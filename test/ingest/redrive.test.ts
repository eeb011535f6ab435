/**
 * The redrive in AWS: messages from the SQS on-failure queue (mocked with aws-sdk-client-mock,
 * in the shape Lambda sends), ranges re-read from a real stream (kinesalite), applied by the
 * consumer; and the deployed consumer invoked through the Lambda API (mocked).
 */
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { InvokeCommand, type InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { handler } from '../../functions/consumer';
import { ensureStream, kinesisClient } from '../../local/kinesis';
import { lambdaConsumer, redrive, sqsFailureQueue } from '../../scripts/lib/redrive';
import { useTestDatabase } from '../helpers/db';
import { kinesisEvent } from '../helpers/events';

const db = useTestDatabase();
const kinesis = kinesisClient(inject('kinesisEndpoint'));
const sqsMock = mockClient(SQSClient);
const lambdaMock = mockClient(LambdaClient);
afterAll(() => {
  kinesis.destroy();
  sqsMock.restore();
  lambdaMock.restore();
});
beforeEach(() => {
  sqsMock.reset();
  lambdaMock.reset();
});

const QUEUE_URL = 'https://sqs.ap-south-1.amazonaws.com/123456789012/ConsumerFailures';

/** Put ticks on a fresh one-shard stream; their sequence numbers. */
async function streamWith(ticks: unknown[]): Promise<{ stream: string; sequenceNumbers: string[] }> {
  const stream = `redrive-${crypto.randomUUID().slice(0, 8)}`;
  await ensureStream(kinesis, stream, 1);
  const out = await kinesis.send(
    new PutRecordsCommand({
      StreamName: stream,
      Records: ticks.map((t) => ({ Data: Buffer.from(JSON.stringify(t)), PartitionKey: 'k' })),
    }),
  );
  return { stream, sequenceNumbers: (out.Records ?? []).map((r) => r.SequenceNumber ?? '') };
}

/** The message Lambda sends its on-failure destination after giving up on a batch. */
function onFailureMessage(stream: string, start: string, end: string, batchSize: number) {
  return JSON.stringify({
    requestContext: {
      requestId: '316aa6d0-8154-xmpl-9af7-85d5f4a6bc81',
      functionArn: 'arn:aws:lambda:ap-south-1:123456789012:function:Consumer',
      condition: 'RecordAgeExceeded',
      approximateInvokeCount: 1042,
    },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    version: '1.0',
    timestamp: '2026-11-29T10:00:00.000Z',
    KinesisBatchInfo: {
      shardId: 'shardId-000000000000',
      startSequenceNumber: start,
      endSequenceNumber: end,
      approximateArrivalOfFirstRecord: '2026-11-29T04:00:00.000Z',
      approximateArrivalOfLastRecord: '2026-11-29T04:00:01.000Z',
      batchSize,
      streamArn: `arn:aws:kinesis:ap-south-1:123456789012:stream/${stream}`,
    },
  });
}

describe('redrive from the SQS on-failure queue', () => {
  it('re-reads the range from the stream, applies it with the consumer, then deletes the message', async () => {
    // Prepare: four ticks on the stream; the queue names the middle two (and holds one unreadable message).
    await db.current.sql`TRUNCATE latest_prices`;
    const { stream, sequenceNumbers: seq } = await streamWith([
      { symbol: 'BEFORE', price: 1 },
      { symbol: 'RDA', price: 11.5 },
      { symbol: 'RDB', price: 22.25 },
      { symbol: 'AFTER', price: 4 },
    ]);
    sqsMock
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [
          {
            MessageId: 'm1',
            ReceiptHandle: 'rh-1',
            Body: onFailureMessage(stream, seq[1] ?? '', seq[2] ?? '', 2),
          },
          { MessageId: 'm2', ReceiptHandle: 'rh-2', Body: '{"not":"a failure record"}' },
        ],
      })
      .resolves({ Messages: [] });
    sqsMock.on(DeleteMessageCommand).resolves({});

    // Act
    const result = await redrive({ queue: sqsFailureQueue(new SQSClient({}), QUEUE_URL), kinesis, handler });

    // Assess: exactly the range, applied; only its message deleted.
    expect(result).toEqual({ redriven: 1, records: 2, kept: 1 });
    const rows = await db.current.sql`SELECT symbol, price::text FROM latest_prices ORDER BY symbol`;
    expect(rows.map((r) => [r.symbol, r.price])).toEqual([
      ['RDA', '11.50'],
      ['RDB', '22.25'],
    ]);
    const deletes = sqsMock.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input);
    expect(deletes).toEqual([{ QueueUrl: QUEUE_URL, ReceiptHandle: 'rh-1' }]);
  });

  it('keeps the message when the consumer reports failures', async () => {
    const { stream, sequenceNumbers: seq } = await streamWith([{ symbol: 'KEEP', price: 5 }]);
    sqsMock
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [{ ReceiptHandle: 'rh-3', Body: onFailureMessage(stream, seq[0] ?? '', seq[0] ?? '', 1) }],
      })
      .resolves({});
    const failing = async (event: Parameters<typeof handler>[0]) => ({
      batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.kinesis.sequenceNumber })),
    });

    const result = await redrive({
      queue: sqsFailureQueue(new SQSClient({}), QUEUE_URL),
      kinesis,
      handler: failing,
    });

    expect(result).toMatchObject({ redriven: 0, kept: 1 });
    expect(sqsMock.commandCalls(DeleteMessageCommand)).toHaveLength(0);
  });
});

describe('the deployed consumer, invoked by the redrive', () => {
  const payload = (value: unknown) =>
    new TextEncoder().encode(JSON.stringify(value)) as InvokeCommandOutput['Payload'];

  it('sends the event and returns the batch response', async () => {
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload({ batchItemFailures: [] }) });
    const consumer = lambdaConsumer(new LambdaClient({}), 'StockConsultant-dev-Consumer');
    const event = kinesisEvent([{ data: { symbol: 'TCS', price: 1 } }]);

    const response = await consumer(event, {} as never);

    expect(response).toEqual({ batchItemFailures: [] });
    const input = lambdaMock.commandCalls(InvokeCommand)[0]?.args[0].input;
    expect(input?.FunctionName).toBe('StockConsultant-dev-Consumer');
    expect(JSON.parse(Buffer.from(input?.Payload as Uint8Array).toString())).toEqual(event);
  });

  it('throws when the function fails, so the message is kept', async () => {
    lambdaMock.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: payload({ errorMessage: 'Task timed out after 30.00 seconds' }),
    });
    const consumer = lambdaConsumer(new LambdaClient({}), 'fn');
    await expect(consumer(kinesisEvent([{ data: 'x' }]), {} as never)).rejects.toThrow(/Task timed out/);
  });
});
