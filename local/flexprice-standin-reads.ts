/**
 * The Flexprice stand-in's read endpoints, answering as Flexprice's Go handlers do
 * (internal/api/dto/events.go: GetEventsResponse, GetUsageResponse):
 * - POST /v1/events/query: `{events: [{id, external_customer_id, customer_id, event_name,
 *   timestamp, properties, source, environment_id}], has_more, iter_first_key?, iter_last_key?,
 *   total_count?}`, newest first, `page_size` ≤ 50 here, `iter_last_key` an opaque cursor;
 * - POST /v1/events/usage: `{event_name, type, value?}` — Go's `omitempty` leaves out a 0 value.
 * Both include an event at exactly `end_time` (inclusive), the harsher reading of a range: the
 * caller must drop it itself.
 */
import type { StandinEvent } from './flexprice-standin';

export const EVENTS_QUERY_PATH = '/v1/events/query';
export const EVENTS_USAGE_PATH = '/v1/events/usage';

type Answer = [status: number, body: unknown];

const bad = (message: string): Answer => [400, { success: false, error: { message } }];

interface Filters {
  external_customer_id?: string;
  event_name?: string;
  event_id?: string;
  start_time?: string;
  end_time?: string;
}

function matching(stored: readonly StandinEvent[], f: Filters): StandinEvent[] | string {
  const start = f.start_time ? Date.parse(f.start_time) : Number.NEGATIVE_INFINITY;
  const end = f.end_time ? Date.parse(f.end_time) : Number.POSITIVE_INFINITY;
  if (Number.isNaN(start) || Number.isNaN(end)) return 'start_time and end_time must be ISO 8601';
  return stored.filter((e) => {
    const at = Date.parse(e.timestamp);
    return (
      (!f.external_customer_id || e.external_customer_id === f.external_customer_id) &&
      (!f.event_name || e.event_name === f.event_name) &&
      (!f.event_id || e.event_id === f.event_id) &&
      at >= start &&
      at <= end
    );
  });
}

const cursorOf = (e: StandinEvent) =>
  Buffer.from(`${Date.parse(e.timestamp)}::${e.event_id}`).toString('base64');

/** Newest first, then by id: a total order, so a cursor names one position. */
const newestFirst = (a: StandinEvent, b: StandinEvent) =>
  Date.parse(b.timestamp) - Date.parse(a.timestamp) || b.event_id.localeCompare(a.event_id);

export function answerQuery(stored: readonly StandinEvent[], body: unknown): Answer {
  const f = (body ?? {}) as Filters & { page_size?: number; iter_last_key?: string };
  const pageSize = f.page_size ?? 50;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 50) return bad('page_size must be 1..50');
  const found = matching(stored, f);
  if (typeof found === 'string') return bad(found);
  const sorted = [...found].sort(newestFirst);
  let from = 0;
  if (f.iter_last_key) {
    const at = sorted.findIndex((e) => cursorOf(e) === f.iter_last_key);
    if (at < 0) return bad('invalid iter_last_key');
    from = at + 1;
  }
  const page = sorted.slice(from, from + pageSize);
  const first = page[0];
  const last = page.at(-1);
  return [
    200,
    {
      events: page.map((e) => ({
        id: e.event_id,
        external_customer_id: e.external_customer_id,
        customer_id: `cust_${e.external_customer_id}`,
        event_name: e.event_name,
        timestamp: new Date(Date.parse(e.timestamp)).toISOString(),
        properties: e.properties,
        source: e.source ?? '',
        environment_id: 'env_standin',
      })),
      has_more: from + page.length < sorted.length,
      ...(first && last ? { iter_first_key: cursorOf(first), iter_last_key: cursorOf(last) } : {}),
      ...(sorted.length > 0 ? { total_count: sorted.length } : {}),
    },
  ];
}

export function answerUsage(stored: readonly StandinEvent[], body: unknown): Answer {
  const f = (body ?? {}) as Filters & { aggregation_type?: string; property_name?: string };
  if (!f.event_name) return bad('event_name is required');
  if (f.aggregation_type !== 'SUM' || !f.property_name) return bad('this stand-in sums one property');
  const found = matching(stored, f);
  if (typeof found === 'string') return bad(found);
  const property = f.property_name;
  const value = found.reduce((sum, e) => sum + Number(e.properties[property] ?? 0), 0);
  return [200, { event_name: f.event_name, type: 'SUM', ...(value !== 0 ? { value } : {}) }];
}
