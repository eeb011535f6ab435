/**
 * Network and data: the VPC (isolated subnets, plus one NAT-backed egress subnet group for the
 * billing sync alone), the endpoints the functions need,
 * PostgreSQL behind RDS Proxy, and the migration trigger. Every other stack depends on this one
 * and receives what it needs through `DataStack`'s public fields.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { AlarmTopic } from '../constructs/alarm-topic';
import type { DatabaseBinding, FunctionNetwork } from '../constructs/app-function';
import { BackupReplication, drSettings } from '../constructs/backup-replication';
import { Database } from '../constructs/database';
import { watchDatabase } from '../constructs/database-alarms';
import { DrJournal } from '../constructs/dr-journal';
import { DrOperator } from '../constructs/dr-operator';
import { Migrations } from '../constructs/migrations';
import { EGRESS_SUBNETS, ISOLATED_SUBNETS } from '../subnets';

export interface DataStackProps extends StackProps {
  readonly config: StageConfig;
}

export class DataStack extends Stack {
  public readonly vpc: ec2.Vpc;
  /** Isolated subnets plus the security group the proxy and endpoints admit. */
  public readonly network: FunctionNetwork;
  public readonly database: Database;
  public readonly databaseBinding: DatabaseBinding;
  /** Functions that read or write the schema depend on this (see constructs/migrations.ts). */
  public readonly migrations: Migrations;
  /** Every alarm of the stage notifies this topic (lib/constructs/alarms.ts). */
  public readonly alarmTopic: AlarmTopic;
  /** The disaster-recovery journal: `allowAppend` each function that journals. */
  public readonly journal: DrJournal;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const { config } = props;
    // First: the stacks after this one alarm into it.
    this.alarmTopic = new AlarmTopic(this, 'AlarmTopic', { config });

    // Two AZs (RDS needs subnets in two). The database, the proxy and every function but one
    // live in isolated subnets: nothing there talks to the internet. Lambda polls Kinesis and
    // ships logs from outside the VPC, so the only AWS API they call from inside is Secrets
    // Manager. The one exception is the billing sync, which must reach Flexprice's public API:
    // it alone runs in the `egress` subnets, behind ONE NAT gateway (docs/billing.md: cost and
    // why). The isolated group stays first so its subnets keep their CIDRs and logical ids.
    // Without Flexprice egress (lean profile) there is no NAT gateway and no public subnets,
    // but the `egress` group stays, isolated: the billing functions keep their subnets and the
    // Billing stack its imports when a stage switches egress off or on (lib/subnets.ts).
    const egress = config.flexpriceEgress;
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.40.0.0/16'),
      maxAzs: 2,
      natGateways: egress ? 1 : 0,
      subnetConfiguration: [
        { name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
        {
          name: 'egress',
          subnetType: egress ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED,
          cidrMask: 26,
        },
        ...(egress ? [{ name: 'nat', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 28 }] : []),
      ],
    });
    const flowLogs = new logs.LogGroup(this, 'FlowLogs', {
      retention: config.logRetention,
      removalPolicy: config.removalPolicy,
    });
    this.vpc.addFlowLog('RejectedFlows', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs),
      trafficType: ec2.FlowLogTrafficType.REJECT,
    });

    const secretsManager = this.vpc.addInterfaceEndpoint('SecretsManager', {
      service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
      subnets: ISOLATED_SUBNETS,
      privateDnsEnabled: true,
      // Only the functions' and the rotation function's security groups are admitted.
      open: false,
    });

    // S3 (the bhavcopy import reads its uploads, lib/constructs/market-data.ts; the journaling
    // functions write the DR journal): a gateway endpoint is free and adds only a route. Both
    // function subnet groups, selected by name (lib/subnets.ts): by type, the `egress` group
    // would drop out whenever Flexprice egress is on, and a function moved there would lose
    // its only route to S3 (or, with the NAT, pay NAT data charges for it).
    this.vpc.addGatewayEndpoint('S3', {
      service: ec2.GatewayVpcEndpointAwsService.S3,
      subnets: [ISOLATED_SUBNETS, EGRESS_SUBNETS],
    });

    const functionSg = new ec2.SecurityGroup(this, 'FunctionSecurityGroup', {
      vpc: this.vpc,
      description: 'Lambda functions: may reach RDS Proxy and the Secrets Manager endpoint, nothing else',
      allowAllOutbound: false,
    });
    secretsManager.connections.allowDefaultPortFrom(functionSg, 'Lambda functions to Secrets Manager');
    this.network = { vpc: this.vpc, securityGroup: functionSg };

    this.database = new Database(this, 'Database', {
      vpc: this.vpc,
      config,
      secretsManagerEndpoint: secretsManager,
    });
    this.database.allowClients(functionSg);
    this.databaseBinding = this.database.binding;
    watchDatabase(this.database, config, this.alarmTopic.topic);
    // prod: automated backups and the journal copied to a second region (docs/operations.md
    // "Second region").
    const dr = config.stage === 'prod' ? drSettings(this, config.prefix) : undefined;
    if (dr) {
      new BackupReplication(this, 'BackupReplication', {
        instance: this.database.instance,
        watched: this.database.target,
        ...dr,
      });
    }
    // Every stage: the journal a restore must not undo (lib/constructs/dr-journal.ts).
    this.journal = new DrJournal(this, 'DrJournal', {
      vpc: this.vpc,
      stage: config.stage,
      compliance: config.stage === 'prod',
      replicaRegion: dr?.region,
    });
    new CfnOutput(this, 'JournalBucketName', {
      value: this.journal.bucket.bucketName,
      description: 'The disaster-recovery journal (npm run dr-replay-journal -- --bucket <this>)',
    });
    // Only when someone is named: the operators who may read the journal back.
    if (config.drOperatorPrincipalArn) {
      const operator = new DrOperator(this, 'DrOperator', {
        principalArn: config.drOperatorPrincipalArn,
        stage: config.stage,
        replicaRegion: dr?.region,
      });
      new CfnOutput(this, 'DrOperatorRoleArn', {
        value: operator.role.roleArn,
        description:
          'Assume for npm run dr-replay-journal -- --bucket <JournalBucketName> (docs/operations.md)',
      });
    }
    new CfnOutput(this, 'DatabaseInstanceIdentifier', {
      value: this.database.target.instanceIdentifier,
      description: 'The instance the proxy and functions use ($ID of the runbook; a restored one once named)',
    });

    const { instance, proxy, appSecret } = this.database;
    this.migrations = new Migrations(this, 'Migrations', {
      config,
      network: this.network,
      database: this.database.migrationBinding,
      // The attachment itself, not its children: its rotation schedule comes after the runner.
      executeAfter: [
        instance,
        ...(proxy ? [proxy] : []),
        appSecret.node.defaultChild as Construct,
        functionSg,
        secretsManager,
      ],
    });
    // The app role exists, with its password from the app secret, only once the runner has run:
    // its rotation schedule comes after the trigger (and never rotates on creation).
    // (The schedule is the attachment's child, not the rotation's: both wait.)
    this.database.appRotation.node.addDependency(this.migrations.trigger);
    appSecret.node.tryFindChild('RotationSchedule')?.node.addDependency(this.migrations.trigger);

    // Kept exported one more deploy (remove once every stage has deployed this version):
    // before the app role, the other stacks imported the master secret, the proxy and the
    // instance's address. Data deploys first, and CloudFormation refuses to delete an export
    // another stack still imports (docs/deploy.md "Switching a stage").
    this.exportValue(this.database.secret.secretArn);
    // The dashboard imports the instance's identifier; a restored target replaces that import
    // with a literal, and the export must outlive the import (Data deploys first).
    this.exportValue(instance.instanceIdentifier);
    if (proxy) {
      this.exportValue(proxy.endpoint);
      this.exportValue(proxy.dbProxyName);
    } else {
      this.exportValue(instance.dbInstanceEndpointAddress);
    }
  }
}
