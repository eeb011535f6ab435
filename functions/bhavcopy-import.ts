/**
 * Imports NSE bhavcopy files uploaded to the market-data bucket (issue 17 item 3, SPEC §11).
 * S3 notifies an SQS queue of each `.csv`/`.zip` under the bhavcopy prefix; the queue feeds this
 * function one message at a time, at most two at once (lib/constructs/market-data.ts), so a
 * year of files uploaded in one `aws s3 sync` imports steadily instead of opening hundreds of
 * database connections. Per file: the size from the event is checked against the limit before
 * anything is read, the object is read (refused past the limit), and the importer writes it.
 *
 * A message that fails (database down, file refused) is reported in `batchItemFailures`: SQS
 * hands it back after the visibility timeout, and after 3 receives moves it to the failure queue,
 * which alarms. Importing is idempotent, so a retried file changes nothing it already wrote.
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { BHAVCOPY_DEFAULT_MAX_BYTES, BHAVCOPY_IMPORT_SERVICE } from './market/feed-health-names';
import { importBhavcopyFile } from './market/history-import';
import { type ObjectReader, ObjectTooLargeError, s3Reader } from './market/s3-objects';
import { parse, positiveInt, section } from './platform/config';
import { db, type Sql } from './platform/db';
import { MetricUnit, powertools } from './platform/powertools';

const tools = powertools(BHAVCOPY_IMPORT_SERVICE);

const bhavcopyImportConfig = section((env) => {
  const parsed = parse(
    z.object({
      BHAVCOPY_MAX_BYTES: positiveInt(BHAVCOPY_DEFAULT_MAX_BYTES),
      MARKET_DATA_BUCKET: z.string().min(3),
    }),
    env,
    'bhavcopy import',
  );
  return { maxBytes: parsed.BHAVCOPY_MAX_BYTES, bucket: parsed.MARKET_DATA_BUCKET };
});

export interface ImportDeps {
  sql: () => Promise<Sql>;
  objects: ObjectReader;
  maxBytes: number;
  /** Only objects of this bucket are read (the queue's policy admits no other, belt and braces). */
  bucket: string;
  tools: ReturnType<typeof powertools>;
}

/** An S3 event notification record, the fields used here. */
const s3Notification = z.object({
  Records: z
    .array(
      z.object({
        eventName: z.string(),
        s3: z.object({
          bucket: z.object({ name: z.string() }),
          object: z.object({ key: z.string(), size: z.number().int().nonnegative() }),
        }),
      }),
    )
    .default([]),
});

/** S3 URL-encodes keys in notifications, with `+` for spaces. */
function decodeKey(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}

async function importMessage(record: SQSRecord, deps: ImportDeps): Promise<void> {
  const body: unknown = JSON.parse(record.body);
  // Configuring a notification makes S3 send one test event; it names no object.
  if ((body as { Event?: string }).Event === 's3:TestEvent') return;
  for (const r of s3Notification.parse(body).Records) {
    const key = decodeKey(r.s3.object.key);
    const bucket = r.s3.bucket.name;
    if (bucket !== deps.bucket) throw new Error(`s3://${bucket}/${key}: not the market-data bucket`);
    if (r.s3.object.size > deps.maxBytes) {
      throw new ObjectTooLargeError(
        `s3://${bucket}/${key} is ${r.s3.object.size} bytes, over ${deps.maxBytes}`,
      );
    }
    const bytes = await deps.objects.read(bucket, key, deps.maxBytes);
    const name = key.slice(key.lastIndexOf('/') + 1);
    const result = await importBhavcopyFile(await deps.sql(), { name, bytes });
    const skipped = Object.values(result.skippedBySeries).reduce((a, b) => a + b, 0);
    deps.tools.logger.info('bhavcopy imported', {
      key,
      format: result.format,
      session: result.session,
      imported: result.imported,
      skippedBySeries: result.skippedBySeries,
      badRows: result.bad.length,
      // The first few bad rows with their line numbers; the count says how many more.
      bad: result.bad.slice(0, 20),
    });
    const m = deps.tools.metrics;
    m.addMetric('BhavcopyFilesImported', MetricUnit.Count, 1);
    m.addMetric('BhavcopyRowsImported', MetricUnit.Count, result.imported);
    m.addMetric('BhavcopyRowsSkipped', MetricUnit.Count, skipped);
    m.addMetric('BhavcopyBadRows', MetricUnit.Count, result.bad.length);
  }
}

/** Import every message's files; failed messages go back to the queue for a bounded retry. */
export async function importFromQueue(event: SQSEvent, deps: ImportDeps): Promise<SQSBatchResponse> {
  const failures: SQSBatchResponse['batchItemFailures'] = [];
  try {
    for (const record of event.Records) {
      try {
        await importMessage(record, deps);
      } catch (error) {
        deps.tools.logger.error('bhavcopy import failed; the queue will retry it', {
          messageId: record.messageId,
          receiveCount: record.attributes.ApproximateReceiveCount,
          error,
        });
        deps.tools.metrics.addMetric('BhavcopyFilesFailed', MetricUnit.Count, 1);
        failures.push({ itemIdentifier: record.messageId });
      }
    }
  } finally {
    if (deps.tools.metrics.hasStoredMetrics()) deps.tools.metrics.publishStoredMetrics();
  }
  return { batchItemFailures: failures };
}

let reader: ObjectReader | undefined;

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const config = bhavcopyImportConfig();
  reader ??= s3Reader();
  return importFromQueue(event, { sql: db, objects: reader, ...config, tools });
};
