/**
 * The one SNS topic every alarm of a stage notifies (KMS-encrypted, TLS only), with an e-mail
 * subscription when `-c alarmEmail=` is set (required in prod: lib/config.ts). It lives in the
 * Data stack, the first one deployed, so every stack can alarm into it (lib/constructs/alarms.ts).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { registerAlarmTopic } from './alarms';

export class AlarmTopic extends Construct {
  public readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: { readonly config: StageConfig }) {
    super(scope, id);
    const { config } = props;
    const key = new kms.Key(this, 'Key', {
      description: `${config.prefix} alarm topic`,
      enableKeyRotation: true,
      removalPolicy: config.removalPolicy,
      pendingWindow: Duration.days(7),
    });
    // CloudWatch alarms and EventBridge rules publish to an encrypted topic only if they may
    // use its key.
    for (const service of ['cloudwatch.amazonaws.com', 'events.amazonaws.com']) {
      key.grant(new iam.ServicePrincipal(service), 'kms:Decrypt', 'kms:GenerateDataKey*');
    }
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: `${config.prefix} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    if (config.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(config.alarmEmail));
    registerAlarmTopic(Stack.of(this).node.root, this.topic);
  }
}
