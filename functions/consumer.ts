/**
 * Kinesis stream consumer: market ticks → latest price per symbol and daily bars (SPEC §11).
 *
 * Each record is validated (SPEC §2). Records that can never succeed are quarantined with their
 * raw data and reason; the rest are merged per symbol and the whole batch (prices and quarantine)
 * is written in one statement, so it is applied entirely or not at all. If that write fails, every
 * record is reported in `batchItemFailures`: Lambda checkpoints before the lowest sequence number,
 * so the batch is retried from its first record, and the guarded upsert makes the re-application
 * of anything already applied a no-op.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { mergeBars, mergeTicks, parseTick, storableText, type Tick } from './core/ticks';
import { ingestConfig } from './market/config';
import { defaultPriceStore, type PriceStore, type QuarantineRow } from './market/price-store';
import { isTransientDbError } from './platform/db';
import { MetricUnit, powertools } from './platform/powertools';

const { logger, metrics } = powertools('consumer');
const { maxFutureMs } = ingestConfig();

/** Process one batch against a store. Exported for tests and the local poller. */
export async function processBatch(
  event: KinesisStreamEvent,
  store: PriceStore,
  nowMs: number = Date.now(),
): Promise<KinesisStreamBatchResponse> {
  const ticks: Tick[] = [];
  const quarantine: QuarantineRow[] = [];
  for (const { eventID, kinesis } of event.Records) {
    const arrivalMs = Math.round(kinesis.approximateArrivalTimestamp * 1000);
    const result = parseTick(
      { data: kinesis.data, sequenceNumber: kinesis.sequenceNumber, arrivalMs },
      nowMs,
      maxFutureMs,
    );
    if (result.ok) {
      ticks.push(result.tick);
    } else {
      quarantine.push({
        eventId: eventID,
        sequenceNumber: kinesis.sequenceNumber,
        partitionKey: kinesis.partitionKey == null ? null : storableText(kinesis.partitionKey),
        data: kinesis.data,
        reason: result.reason,
        arrivedAt: Number.isFinite(arrivalMs) ? new Date(arrivalMs).toISOString() : null,
      });
    }
  }
  const merged = mergeTicks(ticks);
  try {
    const { updated } = await store.applyBatch(merged, quarantine, mergeBars(ticks));
    const newest = ticks.reduce((max, t) => Math.max(max, t.tsMs), 0);
    metrics.addMetric('RecordsApplied', MetricUnit.Count, ticks.length);
    metrics.addMetric('RecordsQuarantined', MetricUnit.Count, quarantine.length);
    if (newest > 0)
      metrics.addMetric('NewestTickAgeMs', MetricUnit.Milliseconds, Math.max(0, nowMs - newest));
    logger.info('batch applied', {
      records: event.Records.length,
      applied: ticks.length,
      symbols: merged.length,
      rowsChanged: updated,
      quarantined: quarantine.length,
    });
    for (const q of quarantine) {
      logger.warn('record quarantined', { sequenceNumber: q.sequenceNumber, reason: q.reason });
    }
    return { batchItemFailures: [] };
  } catch (error) {
    const transient = isTransientDbError(error);
    metrics.addMetric('RecordsFailed', MetricUnit.Count, event.Records.length);
    logger[transient ? 'warn' : 'error']('batch not applied; reporting every record for retry', {
      records: event.Records.length,
      transient,
      error,
    });
    return {
      batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.kinesis.sequenceNumber })),
    };
  }
}

/** Keep this much of the function's time when pausing, to return before the timeout. */
const PAUSE_MARGIN_MS = 2_000;

export const handler = middy<KinesisStreamEvent, KinesisStreamBatchResponse>()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .handler(async (event, context) => {
    const result = await processBatch(event, await defaultPriceStore());
    if (result.batchItemFailures.length > 0) {
      // Space out the mapping's retries (see market/config.ts), within the function's time.
      const pauseMs = Math.min(
        ingestConfig().failurePauseMs,
        context.getRemainingTimeInMillis() - PAUSE_MARGIN_MS,
      );
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
    return result;
  });
