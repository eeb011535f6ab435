/**
 * Disaster recovery in the templates (SPEC §13, docs/operations.md): prod's automated backups
 * replicated to a second region with that region's key, an alarm when replication reports a
 * problem, and the key's stack in the second region. Dev has none of it.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import type { DrKeyStack } from '../../lib/stacks/dr-key-stack';
import { alarmNamed, synthApp } from './helpers';

const drKey = (s: ReturnType<typeof synthApp>) =>
  s.app.node.tryFindChild(`${s.config.prefix}-DrKey`) as DrKeyStack | undefined;

describe('disaster recovery', { timeout: 180_000 }, () => {
  it('prod replicates automated backups to ap-south-2 for 14 days, encrypted with the second region key', () => {
    const prod = synthApp('prod');
    prod.templates.data.hasResourceProperties('AWS::RDS::DBInstance', {
      BackupRetentionPeriod: 14,
      AutomaticBackupReplicationRegion: 'ap-south-2',
      AutomaticBackupReplicationRetentionPeriod: 14,
      AutomaticBackupReplicationKmsKeyId: {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':kms:ap-south-2:',
            { Ref: 'AWS::AccountId' },
            ':alias/stockconsultant-prod-backup-replica',
          ],
        ],
      },
    });
    const key = drKey(prod);
    expect(key?.region).toBe('ap-south-2');
    const keyTemplate = Template.fromStack(key as DrKeyStack);
    keyTemplate.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    keyTemplate.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
    keyTemplate.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: 'alias/stockconsultant-prod-backup-replica',
    });
  });

  it('alarms to the stage topic when RDS reports a replication problem for the instance', () => {
    const data = synthApp('prod').templates.data;
    data.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.rds'],
        'detail-type': ['RDS DB Instance Event'],
        detail: { EventCategories: ['backup'], Message: [{ wildcard: '*eplicat*' }] },
      },
    });
    const alarm = alarmNamed(data, 'BackupReplication');
    expect(alarm).toMatchObject({ MetricName: 'MatchedEvents', Namespace: 'AWS/Events', Threshold: 1 });
    expect(alarm?.AlarmActions).toHaveLength(1);
  });

  it('the region and key come from context; a bad region fails synth', () => {
    const other = synthApp('prod', {
      drRegion: 'ap-southeast-1',
      drBackupKeyArn: 'arn:aws:kms:ap-southeast-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    });
    other.templates.data.hasResourceProperties('AWS::RDS::DBInstance', {
      AutomaticBackupReplicationRegion: 'ap-southeast-1',
      AutomaticBackupReplicationKmsKeyId:
        'arn:aws:kms:ap-southeast-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    });
    expect(drKey(other)?.region).toBe('ap-southeast-1');
    expect(() => synthApp('prod', { drRegion: 'hyderabad' })).toThrow(/drRegion/);
  });

  it('prod keeps the restore journal in a bucket nobody can rewrite for 35 days (object lock, compliance)', () => {
    const data = synthApp('prod').templates.data;
    data.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 35 } },
      },
      VersioningConfiguration: { Status: 'Enabled' },
    });
  });

  it('dev keeps its backups in its own region only', () => {
    const dev = synthApp('dev');
    const [instance] = Object.values(dev.templates.data.findResources('AWS::RDS::DBInstance'));
    expect(instance?.Properties?.AutomaticBackupReplicationRegion).toBeUndefined();
    expect(drKey(dev)).toBeUndefined();
  });
});
