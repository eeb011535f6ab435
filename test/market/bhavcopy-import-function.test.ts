/**
 * The S3-triggered import function's own decisions: size before reading, the bucket, test
 * events, URL-encoded keys, and which queue messages go back for a retry. The bhavcopy parser
 * itself is another module with its own tests; here it is replaced by a recording stand-in.
 */
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { type ImportDeps, importFromQueue } from '../../functions/bhavcopy-import';
import { importBhavcopyFile, NotABhavcopyError } from '../../functions/market/history-import';
import type { ObjectReader } from '../../functions/market/s3-objects';
import type { Sql } from '../../functions/platform/db';
import { powertools } from '../../functions/platform/powertools';

vi.mock('../../functions/market/history-import', async (original) => ({
  ...(await original<typeof import('../../functions/market/history-import')>()),
  importBhavcopyFile: vi.fn(),
}));
const importer = vi.mocked(importBhavcopyFile);

const BUCKET = 'stock-dev-market-data';
const MAX = 1000;

function message(id: string, objects: { key: string; size: number; bucket?: string }[]): SQSRecord {
  const body = {
    Records: objects.map((o) => ({
      eventName: 'ObjectCreated:Put',
      s3: { bucket: { name: o.bucket ?? BUCKET }, object: { key: o.key, size: o.size } },
    })),
  };
  return {
    messageId: id,
    body: JSON.stringify(body),
    attributes: { ApproximateReceiveCount: '1' },
  } as unknown as SQSRecord;
}

let reads: string[];
function deps(): ImportDeps {
  const objects: ObjectReader = {
    async read(bucket, key) {
      reads.push(`${bucket}/${key}`);
      return new TextEncoder().encode('SYMBOL,SERIES\n');
    },
  };
  return {
    sql: async () => ({}) as Sql,
    objects,
    maxBytes: MAX,
    bucket: BUCKET,
    tools: powertools('bhavcopy-test'),
  };
}

beforeEach(() => {
  reads = [];
  importer.mockReset();
  importer.mockResolvedValue({
    format: 'legacy',
    session: '2026-12-01',
    imported: 2,
    skippedBySeries: { N1: 1 },
    bad: [{ line: 4, reason: 'close is not positive' }],
  });
});

describe('bhavcopy import function', () => {
  it('reads each uploaded file and hands it to the importer by its file name', async () => {
    const event: SQSEvent = {
      Records: [message('m1', [{ key: 'bhavcopy/2026/cm01DEC2026bhav.csv.zip', size: 900 }])],
    };
    expect(await importFromQueue(event, deps())).toEqual({ batchItemFailures: [] });
    expect(reads).toEqual([`${BUCKET}/bhavcopy/2026/cm01DEC2026bhav.csv.zip`]);
    expect(importer).toHaveBeenCalledWith(expect.anything(), {
      name: 'cm01DEC2026bhav.csv.zip',
      bytes: expect.any(Uint8Array),
    });
  });

  it('decodes the URL-encoded key S3 puts in its notification', async () => {
    await importFromQueue(
      { Records: [message('m1', [{ key: 'bhavcopy/my+files/a%26b.csv', size: 10 }])] },
      deps(),
    );
    expect(reads).toEqual([`${BUCKET}/bhavcopy/my files/a&b.csv`]);
  });

  it('refuses a file over the size limit without reading it, and returns it to the queue', async () => {
    const event = { Records: [message('big', [{ key: 'bhavcopy/huge.csv', size: MAX + 1 }])] };
    expect(await importFromQueue(event, deps())).toEqual({ batchItemFailures: [{ itemIdentifier: 'big' }] });
    expect(reads).toEqual([]);
    expect(importer).not.toHaveBeenCalled();
  });

  it('refuses an object of another bucket', async () => {
    const event = { Records: [message('x', [{ key: 'bhavcopy/a.csv', size: 10, bucket: 'someone-else' }])] };
    expect((await importFromQueue(event, deps())).batchItemFailures).toEqual([{ itemIdentifier: 'x' }]);
    expect(reads).toEqual([]);
  });

  it('reports only the failed message of a batch: a non-bhavcopy beside a good file', async () => {
    importer.mockImplementation(async (_sql, file) => {
      if (file.name === 'notes.csv') throw new NotABhavcopyError('header matches neither format');
      return { format: 'udiff', session: '2026-12-01', imported: 1, skippedBySeries: {}, bad: [] };
    });
    const event = {
      Records: [
        message('bad', [{ key: 'bhavcopy/notes.csv', size: 10 }]),
        message('good', [{ key: 'bhavcopy/BhavCopy_NSE_CM_0_0_0_20261201_F_0000.csv', size: 10 }]),
      ],
    };
    expect(await importFromQueue(event, deps())).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad' }] });
    expect(importer).toHaveBeenCalledTimes(2);
  });

  it("returns a message to the queue when the database is down (the importer's error)", async () => {
    importer.mockRejectedValue(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    const event = { Records: [message('m', [{ key: 'bhavcopy/a.csv', size: 10 }])] };
    expect((await importFromQueue(event, deps())).batchItemFailures).toEqual([{ itemIdentifier: 'm' }]);
  });

  it("ignores S3's test event, sent when the notification is configured", async () => {
    const test = {
      messageId: 't',
      body: JSON.stringify({ Event: 's3:TestEvent', Bucket: BUCKET }),
      attributes: {},
    };
    expect(await importFromQueue({ Records: [test as unknown as SQSRecord] }, deps())).toEqual({
      batchItemFailures: [],
    });
    expect(reads).toEqual([]);
  });
});
