/**
 * GET /health — public liveness and readiness: database reachability, how fresh prices are,
 * and the billing-provider sync backlog. 503 (with Retry-After) when the database is
 * unreachable. Reveals no configuration: billing sync shows whether it is on and row counts,
 * never the provider's URL or key.
 *
 * Status is `degraded` when there are no prices yet or when outbox rows are dead-lettered
 * (charges Flexprice will not get without an operator, docs/billing.md); a backlog of pending
 * rows alone is not degraded, because it drains by itself once Flexprice is back.
 */
import { flexpriceConfig } from './billing/config';
import { type OutboxSummary, outboxSummary } from './billing/outbox-store';
import { defaultPriceStore } from './market/price-store';
import { db } from './platform/db';
import { json, publicHandler } from './platform/http';
import { powertools } from './platform/powertools';

const tools = powertools('health');

export const handler = publicHandler(async () => {
  const syncEnabled = flexpriceConfig().enabled;
  let prices: { count: number; newestTs: string | null };
  let outbox: OutboxSummary | null = null;
  try {
    prices = await (await defaultPriceStore()).summary();
    if (syncEnabled) outbox = await outboxSummary(await db(), new Date());
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
