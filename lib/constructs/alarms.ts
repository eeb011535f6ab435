/**
 * Alarms live in the stack of what they watch. One SNS topic (in the Data stack, which every
 * other stack already depends on) receives them all; each stack gets one `StackAlarms` that
 * creates alarms named `<stack name>-<name>` and wires them to the topic.
 *
 * Why not one alarm stack: an alarm stack that reads every function's name imports it
 * (Fn::ImportValue), and an exported value cannot change or go while it is imported, so
 * removing or renaming a route would fail with "Export … is in use". Alarms here only import
 * the topic's ARN, which never changes.
 *
 * Convention for new code: `StackAlarms.of(this).add('Name', metric, { threshold, … })` inside
 * the stack that owns the metric's source. Every AppFunction gets Errors and Throttles alarms
 * without asking (lib/conventions.ts).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, type IConstruct } from 'constructs';
import type { AppFunction } from './app-function';

const ID = 'Alarms';
/** The app's alarm topic, registered by AlarmTopic (lib/constructs/alarm-topic.ts). */
const topics = new WeakMap<IConstruct, sns.ITopic>();

/** Makes `topic` the destination of every StackAlarms under `root` (the App). */
export function registerAlarmTopic(root: IConstruct, topic: sns.ITopic): void {
  topics.set(root, topic);
}

export type AlarmOptions = Partial<cloudwatch.CreateAlarmOptions> & { readonly alarmDescription: string };

export class StackAlarms extends Construct {
  /** The StackAlarms of the stack `scope` is in (created on first use). */
  static of(scope: IConstruct): StackAlarms {
    const stack = Stack.of(scope);
    const found = stack.node.tryFindChild(ID);
    if (found instanceof StackAlarms) return found;
    const topic = topics.get(stack.node.root);
    if (!topic) throw new Error('No alarm topic: create the Data stack (AlarmTopic) before any alarm');
    return new StackAlarms(stack, topic);
  }

  /** Names of the alarms created so far (plain strings: the dashboard lists them, no import). */
  public readonly alarmNames: string[] = [];
  private readonly action: SnsAction;

  private constructor(stack: Stack, topic: sns.ITopic) {
    super(stack, ID);
    this.action = new SnsAction(topic);
  }

  /**
   * An alarm on `metric`, notifying the topic on ALARM and OK. Defaults: `>= 1` in one period,
   * missing data not breaching (override where silence itself is the fault).
   */
  add(name: string, metric: cloudwatch.IMetric, options: AlarmOptions): cloudwatch.Alarm {
    const alarmName = `${Stack.of(this).stackName}-${name}`;
    const alarm = new cloudwatch.Alarm(this, name, {
      metric,
      alarmName,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      ...options,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarmNames.push(alarmName);
    return alarm;
  }

  /** Errors and Throttles alarms of a function (5-minute sums, any one is worth a look). */
  watchFunction(name: string, fn: AppFunction): void {
    const period = Duration.minutes(5);
    this.add(`${name}-Errors`, fn.metricErrors({ period }), {
      alarmDescription: `${name}: unhandled errors`,
    });
    this.add(`${name}-Throttles`, fn.metricThrottles({ period }), {
      alarmDescription: `${name}: throttled invocations`,
    });
  }
}

/** The short name of a function in alarm names: its construct path inside its stack. */
export function functionAlarmName(fn: AppFunction): string {
  const stack = Stack.of(fn);
  return fn.node.path
    .slice(stack.node.path.length + 1)
    .split('/')
    .join('');
}

/** Every alarm name in the app, for the dashboard's status widget. */
export function allAlarmNames(root: IConstruct): string[] {
  return root.node
    .findAll()
    .filter((c): c is StackAlarms => c instanceof StackAlarms)
    .flatMap((a) => a.alarmNames);
}
