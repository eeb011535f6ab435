/**
 * A known postgres.js 3.4.9 defect (porsager/postgres#1192, #1223): on every new connection the
 * driver fetches the array types from `pg_catalog.pg_type`, and drops the promise of that query.
 * When the server dies while a connection is starting (PostgreSQL killed, failover), the query
 * fails and its rejection is unhandled, which would crash `npm start` although every real query
 * fails and is retried on its own terms. `npm start` logs such rejections instead of crashing,
 * and the test runner ignores them; anything else still crashes as before.
 */

/** True for the dropped rejection of postgres.js's internal array-type query. */
export function isDanglingTypeFetchError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const query = (error as { query?: unknown }).query;
  return typeof query === 'string' && query.includes('pg_catalog.pg_type') && query.includes('typarray');
}
