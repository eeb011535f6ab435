/**
 * The functions' own (EMF) metrics as CloudWatch sees them. Namespace and dimensions come from
 * the same definition the functions publish with (functions/shared/names.ts), so an alarm
 * cannot watch a metric the code does not emit.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { METRICS_NAMESPACE, metricDimensions } from '../functions/platform/names';
import type { StageConfig } from './config';

/** A metric `name` published by the function whose POWERTOOLS_SERVICE_NAME is `service`. */
export function serviceMetric(
  config: StageConfig,
  service: string,
  name: string,
  statistic = 'Sum',
  period = Duration.minutes(5),
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: metricDimensions(service, config.stage),
    statistic,
    period,
  });
}
