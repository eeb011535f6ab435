/**
 * Log groups with a retention for the Lambda functions the CDK creates for itself (the Trigger
 * provider, the custom-resource Provider framework, the LogRetention function, …). Left alone,
 * such a function creates `/aws/lambda/<name>` on first use with "never expire". Our own
 * functions (AppFunction) already get a log group; for the rest this adds one with the stage's
 * retention and points the function at it (LoggingConfig.LogGroup), so it exists before the
 * function first runs. Applied once to every stack (lib/stock-consultant.ts), so helpers a
 * later construct brings in are covered too.
 *
 * Not covered: the rotation function, which lives in a nested stack that the Serverless
 * Application Repository provides (docs/deploy.md).
 */
import { CfnResource, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';
import { AppFunction } from './constructs/app-function';

export function giveHelperFunctionsLogGroups(
  root: IConstruct,
  retention: logs.RetentionDays,
  removalPolicy: RemovalPolicy,
): void {
  const helpers = root.node.findAll().filter(
    (c): c is CfnResource =>
      CfnResource.isCfnResource(c) &&
      c.cfnResourceType === 'AWS::Lambda::Function' &&
      !(c.node.scope instanceof AppFunction) &&
      // A construct that already chose a log group (e.g. `logGroup` on BucketDeployment).
      !(c instanceof lambda.CfnFunction && (c.loggingConfig as { logGroup?: unknown } | undefined)?.logGroup),
  );
  for (const fn of helpers) {
    const stack = Stack.of(fn);
    const logGroup = new logs.LogGroup(stack, `HelperLogs${stack.getLogicalId(fn)}`, {
      retention,
      removalPolicy,
    });
    fn.addPropertyOverride('LoggingConfig.LogGroup', logGroup.logGroupName);
  }
}
