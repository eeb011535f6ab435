/**
 * The local schedule of the billing sync (`npm start`): what EventBridge does every minute in AWS.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { type FlexpriceConfig, flexpriceConfig } from '../functions/billing/config';
import { providerFor, type SyncLogger, type SyncMetrics, syncOnce } from '../functions/billing/sync';
import { db, type Sql } from '../functions/platform/db';
import { type Repeating, repeat } from './repeat';

/**
 * Run `syncOnce` every `intervalMs` in this process (`npm start`). A no-op when no key is
 * configured. Runs never overlap; a failing run is logged and the next one tries again.
 */
export function startSyncLoop(
  options: {
    intervalMs?: number;
    sql?: Sql;
    config?: FlexpriceConfig;
    logger?: SyncLogger;
    metrics?: SyncMetrics;
  } = {},
): Repeating {
  const config = options.config ?? flexpriceConfig();
  if (!config.enabled) return { stop: async () => {} };
  const logger = options.logger ?? new Logger({ serviceName: 'billing-sync' });
  const metrics = options.metrics ?? { addMetric: () => {} };
  return repeat(
    'billing sync',
    options.intervalMs ?? 5_000,
    async () => {
      const client = await providerFor(config, logger);
      if (client) await syncOnce({ sql: options.sql ?? (await db()), client, config, logger, metrics });
    },
    (line) => logger.warn(line),
  );
}
