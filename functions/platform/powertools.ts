/**
 * Powertools logger and metrics, one pair per function, built at cold start.
 * Metrics are CloudWatch EMF lines on stdout, published by the consumer's `logMetrics`
 * middleware or by an explicit `publishStoredMetrics()` (HTTP routes in platform/http.ts,
 * scheduled jobs at the end of their run).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

import { METRICS_NAMESPACE } from './names';

export function powertools(serviceName: string): { logger: Logger; metrics: Metrics } {
  return {
    logger: new Logger({ serviceName }),
    metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName }),
  };
}

export { MetricUnit } from '@aws-lambda-powertools/metrics';
