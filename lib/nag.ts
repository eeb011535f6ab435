/**
 * cdk-nag v3 reports through CDK's policy-validation plugins; a finding is acknowledged with
 * `Validations.of(construct).acknowledge()` on the construct or any ancestor. Findings with
 * detail are acknowledged one by one: `AwsSolutions-IAM5[Resource::*]`.
 */
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

export interface Acknowledgement {
  readonly id: string;
  /** Why this finding is acceptable here: it is printed in the validation report. */
  readonly reason: string;
}

/** Acknowledges findings on `scope` and everything under it. */
export function acknowledge(scope: IConstruct, rules: readonly Acknowledgement[]): void {
  if (rules.length > 0) Validations.of(scope).acknowledge(...rules);
}

/** The AWS-managed policies Lambda roles get, as cdk-nag names them. */
export const LAMBDA_BASIC_EXECUTION =
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]';
export const LAMBDA_VPC_EXECUTION =
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]';

/**
 * Registers cdk-nag AwsSolutions on the whole app. Unacknowledged errors fail `cdk synth`.
 */
export function applyChecks(app: App): AwsSolutionsChecks {
  const checks = new AwsSolutionsChecks(app, { verbose: true });
  Validations.of(app).addPlugins(checks);
  return checks;
}
