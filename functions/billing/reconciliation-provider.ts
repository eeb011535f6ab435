/**
 * What the reconciliation reads from Flexprice (SPEC §6), with the SDK's standalone functions
 * as functions/billing/flexprice.ts does for ingest:
 * - `events/usage` (getUsageStatistics): SUM of `quantity` per customer, event name and range,
 *   the cheap first check;
 * - `events/query` (listRawEvents): the events themselves, pages of ≤ 50 followed by
 *   `iter_last_key` until `has_more` is false, only where the totals differ.
 * A 429, 5xx, timeout or network failure is retried a few times with the sync's backoff
 * (functions/core/billing-sync.ts); anything else, or the last failure, is thrown.
 */
import { FlexpriceCore } from '@flexprice/sdk/core.js';
import { eventsGetUsageStatistics } from '@flexprice/sdk/funcs/events-get-usage-statistics.js';
import { eventsListRawEvents } from '@flexprice/sdk/funcs/events-list-raw-events.js';
import { type BackoffPolicy, backoffMs, classifyFailure } from '../core/billing-sync';
import { type ProviderEvent, quantityOf } from '../core/reconciliation';

export interface DayRange {
  start: Date;
  end: Date;
}

export interface ProviderReader {
  /** SUM of `properties.quantity` of a customer's events of one name in [start, end). */
  usageSum(customer: string, feature: string, range: DayRange): Promise<number>;
  /** Every event of a customer and name in the range, all pages. */
  listEvents(customer: string, feature: string, range: DayRange): Promise<ProviderEvent[]>;
}

export interface ReaderOptions extends BackoffPolicy {
  apiUrl: string;
  apiKey: string;
  timeoutMs: number;
  /** Events per page (Flexprice's default and our maximum: 50). */
  pageSize: number;
  /** Pages per customer and feature before giving up (a cursor that never ends). */
  maxPages: number;
  /** Attempts per request, the first included. */
  attempts: number;
  sleep?: (ms: number) => Promise<void>;
}

export class PaginationError extends Error {
  override name = 'PaginationError';
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Run `call` (an SDK Result) with retries on transient failures. */
async function withRetry<T>(
  options: ReaderOptions,
  call: () => Promise<{ ok: true; value: T } | { ok: false; error: unknown }>,
): Promise<T> {
  const sleep = options.sleep ?? delay;
  for (let attempt = 1; ; attempt++) {
    const res = await call();
    if (res.ok) return res.value;
    if (attempt >= options.attempts || !classifyFailure(res.error).retryable) throw res.error;
    await sleep(backoffMs(attempt, options));
  }
}

export function flexpriceReader(options: ReaderOptions): ProviderReader {
  const client = new FlexpriceCore({
    serverURL: options.apiUrl,
    apiKeyAuth: options.apiKey,
    timeoutMs: options.timeoutMs,
    retryConfig: { strategy: 'none' },
  });
  return {
    async usageSum(customer, feature, range) {
      const res = await withRetry(options, () =>
        eventsGetUsageStatistics(client, {
          eventName: feature,
          externalCustomerId: customer,
          aggregationType: 'SUM',
          propertyName: 'quantity',
          startTime: range.start.toISOString(),
          endTime: range.end.toISOString(),
        }),
      );
      // Flexprice omits `value` when it is 0 (Go `omitempty`).
      return res.value ?? 0;
    },
    async listEvents(customer, feature, range) {
      const events: ProviderEvent[] = [];
      let iterLastKey: string | undefined;
      for (let page = 0; page < options.maxPages; page++) {
        const res = await withRetry(options, () =>
          eventsListRawEvents(client, {
            externalCustomerId: customer,
            eventName: feature,
            startTime: range.start.toISOString(),
            endTime: range.end.toISOString(),
            pageSize: options.pageSize,
            ...(iterLastKey ? { iterLastKey } : {}),
          }),
        );
        for (const e of res.events ?? []) {
          events.push({
            id: e.id ?? '',
            customer: e.externalCustomerId ?? customer,
            feature: e.eventName ?? feature,
            quantity: quantityOf(e.properties?.quantity),
            timestamp: e.timestamp ? new Date(e.timestamp) : null,
          });
        }
        if (!res.hasMore) return events;
        if (!res.iterLastKey || res.iterLastKey === iterLastKey) {
          throw new PaginationError('Flexprice said has_more but gave no new iter_last_key');
        }
        iterLastKey = res.iterLastKey;
      }
      throw new PaginationError(`More than ${options.maxPages} pages of events for one customer and day`);
    },
  };
}
