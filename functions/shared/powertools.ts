/**
 * Powertools logger and metrics, one pair per function, built at cold start.
 * Metrics are CloudWatch EMF lines on stdout, flushed by the `logMetrics` middleware.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

export const METRICS_NAMESPACE = 'StockConsultant';

export function powertools(serviceName: string): { logger: Logger; metrics: Metrics } {
  return {
    logger: new Logger({ serviceName }),
    metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName }),
  };
}

export { MetricUnit } from '@aws-lambda-powertools/metrics';
