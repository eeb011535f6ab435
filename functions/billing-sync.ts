/**
 * Billing sync Lambda: an EventBridge schedule invokes it every minute to drain the outbox to
 * Flexprice (the algorithm is functions/billing/sync.ts).
 */
import { flexpriceConfig } from './billing/config';
import { outboxSummary } from './billing/outbox-store';
import { providerFor, syncOnce } from './billing/sync';
import { db } from './platform/db';
import { MetricUnit, powertools } from './platform/powertools';

const tools = powertools('billing-sync');

/** EventBridge scheduled entry point. Sync off (no key) → logs and returns. */
export const handler = async (_event: unknown, context?: { getRemainingTimeInMillis(): number }) => {
  const config = flexpriceConfig();
  if (!config.enabled) {
    tools.logger.info('billing sync disabled: no Flexprice API key configured');
    return { enabled: false };
  }
  const client = await providerFor(config, tools.logger);
  if (!client) {
    // Still publish the backlog gauges, so the outbox-age alarm tells operators the key is missing.
    const summary = await outboxSummary(await db(), new Date());
    tools.metrics.addMetric('OutboxDead', MetricUnit.Count, summary.dead);
    tools.metrics.addMetric(
      'OutboxOldestPendingAgeSeconds',
      MetricUnit.Seconds,
      summary.oldestPendingAgeSeconds ?? 0,
    );
    tools.metrics.publishStoredMetrics();
    return { enabled: false, keySet: false, ...summary };
  }
  try {
    // Stop claiming while one more request (timeoutMs) and the marks still fit in the invocation.
    const remaining = context?.getRemainingTimeInMillis();
    const deadline =
      remaining === undefined
        ? undefined
        : Date.now() + Math.max(remaining / 2, remaining - config.timeoutMs - 5_000);
    const result = await syncOnce({
      sql: await db(),
      client,
      config,
      logger: tools.logger,
      metrics: tools.metrics,
      deadline,
    });
    return { enabled: true, ...result };
  } finally {
    if (tools.metrics.hasStoredMetrics()) tools.metrics.publishStoredMetrics();
  }
};
