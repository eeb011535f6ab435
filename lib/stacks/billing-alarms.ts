/**
 * Alarms on the billing outbox, in the Billing stack beside the sync that reports it
 * (errors and throttles of the functions come with every AppFunction).
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { StackAlarms } from '../constructs/alarms';
import { serviceMetric } from '../metrics';
import { THRESHOLDS } from '../thresholds';

/** The billing sync's metrics (functions/billing-sync.ts), as gauges: the latest maximum. */
const billingSyncMetric = (config: StageConfig, name: string, statistic = 'Maximum') =>
  serviceMetric(config, 'billing-sync', name, statistic);

/** The billing reconciliation's metrics (functions/reconcile.ts): one data point per run. */
const reconcileMetric = (config: StageConfig, name: string) =>
  serviceMetric(config, 'reconcile', name, 'Maximum', Duration.minutes(15));

export function watchBilling(scope: Construct, config: StageConfig): void {
  const alarms = StackAlarms.of(scope);
  alarms.add('OutboxDead', billingSyncMetric(config, 'OutboxDead'), {
    alarmDescription:
      'Billing outbox rows were dead-lettered: requeue them after fixing the cause (docs/billing.md)',
    threshold: THRESHOLDS.outboxDead,
  });
  // Without egress the backlog grows by design (lean dev): no alarm that is always on. The
  // reconciliation reads Flexprice too, so without egress its runs fail by design as well.
  if (!config.flexpriceEgress) return;
  alarms.add('OutboxAge', billingSyncMetric(config, 'OutboxOldestPendingAgeSeconds'), {
    alarmDescription:
      'Charges are waiting to reach Flexprice, or the sync has not run for 5 minutes: is Flexprice down, the key unset, the schedule off? (docs/billing.md)',
    threshold: THRESHOLDS.outboxOldestPendingAgeSeconds,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    // The sync publishes this gauge on every run (every minute), key set or not; silence means
    // it is not running at all, which must not look like an empty backlog.
    treatMissingData: cloudwatch.TreatMissingData.BREACHING,
  });
  // Once per run: 1 when a day still differs after its resend (or has unknown events or other
  // quantities), 1 when a run failed (the follow-up resumes it; repeated failures repeat this).
  alarms.add('ReconciliationDrift', reconcileMetric(config, 'ReconciliationDrift'), {
    alarmDescription:
      'Flexprice does not hold exactly what we billed for a day: see GET /api/admin/reconciliation (docs/billing.md)',
  });
  alarms.add('ReconciliationFailed', reconcileMetric(config, 'ReconciliationFailed'), {
    alarmDescription: 'A billing reconciliation run failed: Flexprice or the database (docs/billing.md)',
  });
}
