/**
 * The feed-staleness alarm (SPEC §11 "Feed health"): functions/feed-monitor.ts runs every
 * minute and, during NSE trading hours only, publishes the trading time since the newest tick.
 * The alarm fires when that passes 5 minutes; outside trading hours nothing is published and
 * missing data is not breaching, so nights, weekends and NSE holidays raise nothing. A second
 * alarm asks for next year's holiday list (data/nse-holidays.json) before it is needed.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import {
  CALENDAR_MISSING_METRIC,
  FEED_MONITOR_SERVICE,
  NEWEST_TICK_AGE_METRIC,
} from '../../functions/market/feed-health-names';
import type { StageConfig } from '../config';
import { serviceMetric } from '../metrics';
import { functionEntry } from '../paths';
import { StackAlarms } from './alarms';
import { AppFunction, type DatabaseBinding, type FunctionNetwork } from './app-function';

/** SPEC §11: in trading hours, a newest tick older than this fires the alarm. */
const FEED_STALE_AFTER = Duration.minutes(5);

export interface FeedMonitorProps {
  readonly config: StageConfig;
  readonly network: FunctionNetwork;
  readonly database: DatabaseBinding;
  readonly schema: Construct;
}

export class FeedMonitor extends Construct {
  public readonly monitorFunction: AppFunction;
  public readonly staleAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: FeedMonitorProps) {
    super(scope, id);
    const { config } = props;
    this.monitorFunction = new AppFunction(this, 'Function', {
      entry: functionEntry('feed-monitor'),
      description: 'Publishes the age of the newest price tick during NSE trading hours (every minute)',
      serviceName: FEED_MONITOR_SERVICE,
      logLevel: config.logLevel,
      logRetention: config.logRetention,
      logRemovalPolicy: config.removalPolicy,
      timeout: Duration.seconds(20),
      network: props.network,
    }).bindDatabase(props.database);
    this.monitorFunction.node.addDependency(props.schema);
    // The next minute's run is the retry.
    this.monitorFunction.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(1) });
    new events.Rule(this, 'Schedule', {
      description: 'Feed staleness check during NSE trading hours',
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new targets.LambdaFunction(this.monitorFunction, { retryAttempts: 0 })],
    });

    const alarms = StackAlarms.of(this);
    this.staleAlarm = alarms.add(
      'FeedStale',
      serviceMetric(config, FEED_MONITOR_SERVICE, NEWEST_TICK_AGE_METRIC, 'Maximum', Duration.minutes(1)),
      {
        alarmDescription:
          'No price tick for over 5 minutes during NSE trading hours: the feed or the consumer has stopped',
        threshold: FEED_STALE_AFTER.toSeconds(),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        // Outside trading hours the monitor publishes nothing: silence is normal then.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      },
    );
    alarms.add(
      'HolidayCalendarMissing',
      serviceMetric(config, FEED_MONITOR_SERVICE, CALENDAR_MISSING_METRIC, 'Maximum', Duration.hours(1)),
      {
        alarmDescription:
          "data/nse-holidays.json lacks this year or next: add NSE's list (docs/market-data.md) and deploy",
        threshold: 1,
      },
    );
  }
}
