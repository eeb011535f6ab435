/**
 * Powertools logger and metrics, one pair per function, built at cold start.
 * Metrics are CloudWatch EMF lines on stdout, published by the consumer's `logMetrics`
 * middleware or by an explicit `publishStoredMetrics()` (HTTP routes in platform/http.ts,
 * scheduled jobs at the end of their run).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

import { LOCAL_STAGE, METRICS_NAMESPACE, metricDimensions, STAGE_ENV } from './names';

/**
 * Every metric carries `service` and `stage` (names.ts `metricDimensions`): Powertools adds
 * `service` from `serviceName`; `stage` is a default dimension read from `STAGE` once.
 */
export function powertools(
  serviceName: string,
  env: Record<string, string | undefined> = process.env,
): { logger: Logger; metrics: Metrics } {
  const { stage } = metricDimensions(serviceName, env[STAGE_ENV] || LOCAL_STAGE);
  return {
    logger: new Logger({ serviceName }),
    metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName, defaultDimensions: { stage } }),
  };
}

export { MetricUnit } from '@aws-lambda-powertools/metrics';
