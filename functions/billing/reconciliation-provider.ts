/**
 * What the reconciliation reads from Flexprice (SPEC §6), with the SDK's standalone functions
 * as functions/billing/flexprice.ts does for ingest:
 * - `events/usage` (getUsageStatistics): SUM of `quantity` per customer, event name and range,
 *   the cheap first check;
 * - `events/query` (listRawEvents): the events themselves, pages of ≤ 50 followed by
 *   `iter_last_key` until `has_more` is false, only where the totals differ.
 * A 429, 5xx, timeout or network failure is retried a few times with the sync's backoff
 * (functions/core/billing-sync.ts); anything else, or the last failure, is thrown.
 *
 * Absent fields: Flexprice's Go DTOs drop empty fields (`omitempty`: `results` and a 0 `value` of
 * the usage answer, `iter_last_key` and `total_count` of an empty page), but SDK 2.0.1's schemas,
 * run by zod 4, reject an absent optional field ("expected nonoptional"), so the SDK reports a
 * valid 200 as a ResponseValidationError. Such a 200 is read here with a schema that allows what
 * Flexprice omits; any other failure keeps its SDK error.
 */
import { FlexpriceCore } from '@flexprice/sdk/core.js';
import { eventsGetUsageStatistics } from '@flexprice/sdk/funcs/events-get-usage-statistics.js';
import { eventsListRawEvents } from '@flexprice/sdk/funcs/events-list-raw-events.js';
import { ResponseValidationError } from '@flexprice/sdk/sdk/models/response-validation-error.js';
import { z } from 'zod';
import { type BackoffPolicy, backoffMs, classifyFailure } from '../core/billing-sync';
import { keyHashOf, type ProviderEvent, pricePaiseOf, quantityOf } from '../core/reconciliation';

export interface DayRange {
  start: Date;
  end: Date;
}

export interface ProviderReader {
  /** SUM of `properties.quantity` of a customer's events of one name in [start, end). */
  usageSum(customer: string, feature: string, range: DayRange): Promise<number>;
  /** Every event of a customer (null: of every customer) and name in the range, all pages. */
  listEvents(customer: string | null, feature: string, range: DayRange): Promise<ProviderEvent[]>;
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

class PaginationError extends Error {
  override name = 'PaginationError';
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The usage answer as Flexprice sends it (GetUsageResponse). */
const UsageAnswer = z.object({ value: z.coerce.number().optional() });

/** A page of events as Flexprice sends it (GetEventsResponse). */
const EventsAnswer = z.object({
  events: z
    .array(
      z.object({
        id: z.string(),
        external_customer_id: z.string().optional(),
        event_name: z.string().optional(),
        timestamp: z.string().optional(),
        properties: z.record(z.string(), z.unknown()).nullish(),
      }),
    )
    .nullish(),
  has_more: z.boolean().optional(),
  iter_last_key: z.string().optional(),
});

/**
 * Run `call` (an SDK Result) with retries on transient failures. A 200 the SDK's schema
 * rejected is parsed with `schema` instead (see the file comment).
 */
async function withRetry<T, R>(
  options: ReaderOptions,
  call: () => Promise<{ ok: true; value: T } | { ok: false; error: unknown }>,
  fromSdk: (value: T) => R,
  schema: z.ZodType<R>,
): Promise<R> {
  const sleep = options.sleep ?? delay;
  for (let attempt = 1; ; attempt++) {
    const res = await call();
    if (res.ok) return fromSdk(res.value);
    const e = res.error;
    if (e instanceof ResponseValidationError && e.statusCode === 200) {
      const lenient = schema.safeParse(e.rawValue ?? JSON.parse(e.body));
      if (lenient.success) return lenient.data;
      throw e;
    }
    if (attempt >= options.attempts || !classifyFailure(e).retryable) throw e;
    await sleep(backoffMs(attempt, options));
  }
}

type Page = z.infer<typeof EventsAnswer>;

export function flexpriceReader(options: ReaderOptions): ProviderReader {
  const client = new FlexpriceCore({
    serverURL: options.apiUrl,
    apiKeyAuth: options.apiKey,
    timeoutMs: options.timeoutMs,
    retryConfig: { strategy: 'none' },
  });
  return {
    async usageSum(customer, feature, range) {
      const res = await withRetry(
        options,
        () =>
          eventsGetUsageStatistics(client, {
            eventName: feature,
            externalCustomerId: customer,
            aggregationType: 'SUM',
            propertyName: 'quantity',
            startTime: range.start.toISOString(),
            endTime: range.end.toISOString(),
          }),
        (v) => ({ value: v.value }),
        UsageAnswer,
      );
      // Flexprice omits `value` when it is 0 (Go `omitempty`).
      return res.value ?? 0;
    },
    async listEvents(customer, feature, range) {
      const events: ProviderEvent[] = [];
      let iterLastKey: string | undefined;
      for (let page = 0; page < options.maxPages; page++) {
        const res: Page = await withRetry(
          options,
          () =>
            eventsListRawEvents(client, {
              ...(customer !== null ? { externalCustomerId: customer } : {}),
              eventName: feature,
              startTime: range.start.toISOString(),
              endTime: range.end.toISOString(),
              pageSize: options.pageSize,
              ...(iterLastKey ? { iterLastKey } : {}),
            }),
          (v) => ({
            has_more: v.hasMore,
            iter_last_key: v.iterLastKey,
            events: (v.events ?? []).map((e) => ({
              id: e.id ?? '',
              external_customer_id: e.externalCustomerId,
              event_name: e.eventName,
              timestamp: e.timestamp,
              properties: e.properties,
            })),
          }),
          EventsAnswer,
        );
        for (const e of res.events ?? []) {
          events.push({
            id: e.id,
            customer: e.external_customer_id ?? customer ?? '',
            feature: e.event_name ?? feature,
            quantity: quantityOf(e.properties?.quantity),
            timestamp: e.timestamp ? new Date(e.timestamp) : null,
            unitPricePaise: pricePaiseOf(e.properties?.unit_price_paise),
            idempotencyKeySha256: keyHashOf(e.properties?.idempotency_key_sha256),
          });
        }
        if (!res.has_more) return events;
        if (!res.iter_last_key || res.iter_last_key === iterLastKey) {
          throw new PaginationError('Flexprice said has_more but gave no new iter_last_key');
        }
        iterLastKey = res.iter_last_key;
      }
      throw new PaginationError(`More than ${options.maxPages} pages of events for one customer and day`);
    },
  };
}
