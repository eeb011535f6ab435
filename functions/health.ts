/**
 * GET /health — public liveness and readiness: database reachability, how fresh prices are,
 * and the billing-provider sync backlog. 503 (with Retry-After) when the database is
 * unreachable. Reveals no configuration: billing sync shows whether it is on and row counts,
 * never the provider's URL or key.
 *
 * The database part is bounded (HEALTH_DB_TIMEOUT_MS, default 2 s, and never past the
 * function's own early answer): a stalled server is a 503 `unavailable` within that, not a hang.
 *
 * Status is `degraded` when there are no prices yet or when outbox rows are dead-lettered
 * (charges Flexprice will not get without an operator, docs/billing.md); a backlog of pending
 * rows alone is not degraded, because it drains by itself once Flexprice is back.
 */
import { z } from 'zod';
import { flexpriceConfig } from './billing/config';
import { type OutboxSummary, outboxSummary } from './billing/outbox-store';
import { defaultPriceStore } from './market/price-store';
import { parse, positiveInt, section } from './platform/config';
import { db } from './platform/db';
import { json, publicHandler, timeLeft } from './platform/http';
import { powertools } from './platform/powertools';

const tools = powertools('health');

/** How long /health waits for the database before it says `unavailable`. */
export const healthConfig = section((env) => ({
  dbTimeoutMs: parse(z.object({ HEALTH_DB_TIMEOUT_MS: positiveInt(2000) }), env, 'health')
    .HEALTH_DB_TIMEOUT_MS,
}));

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

export const handler = publicHandler(async ({ context }) => {
  const syncEnabled = flexpriceConfig().enabled;
  let prices: { count: number; newestTs: string | null };
  let outbox: OutboxSummary | null = null;
  const budget = Math.min(healthConfig().dbTimeoutMs, timeLeft(context));
  try {
    ({ prices, outbox } = await within(
      budget,
      (async () => ({
        prices: await (await defaultPriceStore()).summary(),
        outbox: syncEnabled ? await outboxSummary(await db(), new Date()) : null,
      }))(),
    ));
  } catch (error) {
    tools.logger.warn('health: database unreachable', { error });
    return json(503, { status: 'unavailable', database: 'unreachable' }, { 'retry-after': '5' });
  }
  const billingSync = outbox
    ? {
        enabled: true,
        pending: outbox.pending,
        dead: outbox.dead,
        oldest_pending_age_seconds: outbox.oldestPendingAgeSeconds,
      }
    : { enabled: false };
  const healthy = prices.count > 0 && (outbox?.dead ?? 0) === 0;
  return json(200, {
    status: healthy ? 'ok' : 'degraded',
    database: 'ok',
    prices: { count: prices.count, newest_ts: prices.newestTs },
    billing_sync: billingSync,
  });
}, tools);
