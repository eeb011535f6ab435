/**
 * GET /health — public liveness and readiness: database reachability, how fresh prices are
 * (stale symbols during NSE trading hours), recent history gaps, and the billing-provider sync
 * backlog. 503 (with Retry-After) when the database is unreachable. Reveals no configuration:
 * billing sync shows whether it is on and row counts, never the provider's URL or key.
 *
 * The database probe is cached per container for HEALTH_CACHE_MS (5 s): requests within that
 * share one probe, in flight or done, so a flood of unauthenticated requests costs the database
 * at most one probe per container per 5 s (issue 16 item 8). A failed probe is cached too: the
 * 503 says Retry-After 5 anyway, and a down database is spared the flood just the same. A probe
 * older than the window is replaced even if it never settled, so a hung one is never served on.
 *
 * Each request waits for the probe at most HEALTH_DB_TIMEOUT_MS (2 s), and never past the
 * function's own early answer: a stalled server is a 503 `unavailable` within that, not a hang.
 *
 * Status is `degraded` when there are no prices yet, when symbols are stale in trading hours,
 * when a symbol's recent history has an unexplained gap (its measures are null until the
 * corporate action is imported, docs/market-data.md), or when outbox rows are dead-lettered
 * (charges Flexprice will not get without an operator, docs/billing.md); a backlog of pending
 * rows alone is not degraded, because it drains by itself once Flexprice is back.
 */
import { z } from 'zod';
import { flexpriceConfig } from './billing/config';
import { outboxSummary } from './billing/outbox-store';
import { marketState, staleBefore } from './core/trading-hours';
import { NSE_CALENDAR, priceHealth } from './market/feed-health';
import { parse, positiveInt, section } from './platform/config';
import { db } from './platform/db';
import { type HttpResult, json, publicHandler, timeLeft } from './platform/http';
import { powertools } from './platform/powertools';

const tools = powertools('health');

/** A symbol with no tick for this long during trading hours is stale (SPEC §11). */
const STALE_AFTER_MS = 15 * 60_000;

/** How long /health waits for the database, and how long one probe serves. */
export const healthConfig = section((env) => {
  const parsed = parse(
    z.object({
      HEALTH_DB_TIMEOUT_MS: positiveInt(2000),
      HEALTH_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(5000),
    }),
    env,
    'health',
  );
  return { dbTimeoutMs: parsed.HEALTH_DB_TIMEOUT_MS, cacheMs: parsed.HEALTH_CACHE_MS };
});

class TimedOut extends Error {
  override name = 'TimedOut';
}

/** `work`, or a TimedOut rejection after `ms` (the work itself runs on; its result is dropped). */
async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimedOut(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Everything /health reads from the database, as the body it answers with. */
async function probe(syncEnabled: boolean): Promise<Record<string, unknown>> {
  const now = new Date();
  const sql = await db();
  const state = marketState(now, NSE_CALENDAR);
  const prices = await priceHealth(sql, now, staleBefore(now, state, STALE_AFTER_MS));
  const outbox = syncEnabled ? await outboxSummary(sql, now) : null;
  const billingSync = outbox
    ? {
        enabled: true,
        pending: outbox.pending,
        dead: outbox.dead,
        oldest_pending_age_seconds: outbox.oldestPendingAgeSeconds,
      }
    : { enabled: false };
  const healthy =
    prices.count > 0 && !prices.stale && prices.historyGaps.length === 0 && (outbox?.dead ?? 0) === 0;
  return {
    status: healthy ? 'ok' : 'degraded',
    database: 'ok',
    prices: {
      count: prices.count,
      newest_ts: prices.newestTs?.toISOString() ?? null,
      // 'unknown_calendar': the holiday list lacks this year; staleness is counted as if open.
      market: state.market,
      // Outside trading hours silence is normal: the market is closed, nothing is stale.
      stale: state.market === 'closed' ? null : prices.stale,
    },
    history_gaps: prices.historyGaps,
    billing_sync: billingSync,
  };
}

/** The container's current probe: started at `startedAt`, shared by every request until stale. */
let current: { startedAt: number; body: Promise<Record<string, unknown>> } | undefined;

function cachedProbe(cacheMs: number, syncEnabled: boolean): Promise<Record<string, unknown>> {
  const now = Date.now();
  const age = current ? now - current.startedAt : Number.POSITIVE_INFINITY;
  // A clock that went backwards (an NTP step) ends the window too, rather than stretching it.
  if (!current || age < 0 || age >= cacheMs) {
    const body = probe(syncEnabled);
    body.catch(() => {}); // observed by each waiting request; never an unhandled rejection
    current = { startedAt: now, body };
  }
  return current.body;
}

export const handler = publicHandler(async ({ context }): Promise<HttpResult> => {
  const config = healthConfig();
  const syncEnabled = flexpriceConfig().enabled;
  const budget = Math.min(config.dbTimeoutMs, timeLeft(context));
  try {
    return json(200, await within(budget, cachedProbe(config.cacheMs, syncEnabled)));
  } catch (error) {
    tools.logger.warn('health: database unreachable', { error });
    return json(503, { status: 'unavailable', database: 'unreachable' }, { 'retry-after': '5' });
  }
}, tools);
