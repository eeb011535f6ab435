/**
 * Disaster recovery in the templates (SPEC §13, docs/operations.md): prod's automated backups
 * replicated to a second region with that region's key, an alarm when replication reports a
 * problem, and the key's stack in the second region (dev has none of it); and in every stage the
 * restore journal's bucket, which exactly the journaling functions may append to.
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { JOURNALING_FUNCTIONS } from '../../functions/platform/names';
import type { DrKeyStack } from '../../lib/stacks/dr-key-stack';
import { alarmNamed, allTemplates, render, resourcesOf, synthApp } from './helpers';

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

  it('dev has a journal bucket too, locked in governance mode so a torn-down dev stage can be emptied', () => {
    const data = synthApp('dev').templates.data;
    data.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      ObjectLockConfiguration: { Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 35 } } },
    });
    data.hasOutput('JournalBucketName', {});
  });

  for (const stage of ['dev', 'prod'] as const) {
    it(`${stage}: exactly the journaling functions get JOURNAL_BUCKET, s3:PutObject on its entries only, and a way to S3`, () => {
      const s = synthApp(stage);
      const bucket = `stockconsultant-${stage}-journal-<AWS::AccountId>-<AWS::Region>`;
      s.templates.data.hasResourceProperties('AWS::S3::Bucket', {
        BucketName: {
          'Fn::Join': [
            '',
            [`stockconsultant-${stage}-journal-`, { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }],
          ],
        },
        ObjectLockEnabled: true,
      });
      const writers: string[] = [];
      for (const [stackName, template] of allTemplates(s)) {
        for (const [id, fn] of resourcesOf(template, 'AWS::Lambda::Function')) {
          const env =
            (fn.Properties?.Environment as { Variables?: Record<string, unknown> })?.Variables ?? {};
          if (!('JOURNAL_BUCKET' in env)) continue;
          writers.push(String(env.POWERTOOLS_SERVICE_NAME));
          expect(render(env.JOURNAL_BUCKET), `${stackName}/${id}`).toBe(bucket);
          // The journal's egress group: isolated subnets reach S3 only through the gateway endpoint.
          expect(JSON.stringify(fn.Properties?.VpcConfig)).toMatch(/DrJournalEgress/);
        }
      }
      expect(writers.sort()).toEqual([...JOURNALING_FUNCTIONS].sort());

      // Every function's statement naming the bucket: PutObject on journal/*, from those
      // functions' roles. (S3 replication's and the DR operator's roles: test/infra/dr-operations.)
      const grants = allTemplates(s)
        .flatMap(([, template]) => {
          const functionRoles = new Set(
            resourcesOf(template, 'AWS::Lambda::Function').map(([, fn]) =>
              JSON.stringify({
                Ref: (fn.Properties?.Role as { 'Fn::GetAtt'?: string[] })?.['Fn::GetAtt']?.[0],
              }),
            ),
          );
          return resourcesOf(template, 'AWS::IAM::Policy')
            .filter(([, policy]) =>
              ((policy.Properties?.Roles ?? []) as unknown[]).some((r) =>
                functionRoles.has(JSON.stringify(r)),
              ),
            )
            .flatMap(
              ([, policy]) =>
                (
                  policy.Properties?.PolicyDocument as
                    | { Statement: { Action: unknown; Resource: unknown }[] }
                    | undefined
                )?.Statement ?? [],
            );
        })
        .filter((st) => [st.Resource].flat().map(render).join(' ').includes(bucket));
      expect(grants).toHaveLength(JOURNALING_FUNCTIONS.length);
      for (const st of grants) {
        expect(st.Action).toBe('s3:PutObject');
        expect(render(st.Resource)).toBe(`arn:<AWS::Partition>:s3:::${bucket}/journal/*`);
      }
    });
  }

  it('JOURNALING_FUNCTIONS names every function whose code writes the journal', async () => {
    // Follow each entry's relative imports: any module reached that calls journal() journals.
    const root = join(import.meta.dirname, '../../functions');
    const journals = async (file: string, seen = new Set<string>()): Promise<boolean> => {
      if (seen.has(file)) return false;
      seen.add(file);
      const text = await readFile(file, 'utf8').catch(() => '');
      if (/\bjournal\(\)\.append\(/.test(text)) return true;
      for (const [, spec] of text.matchAll(/from '(\.[^']+)'/g)) {
        if (await journals(`${resolve(dirname(file), spec as string)}.ts`, seen)) return true;
      }
      return false;
    };
    const entries = (await readdir(root)).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
    const writing: string[] = [];
    for (const f of entries) if (await journals(join(root, f))) writing.push(f.replace(/\.ts$/, ''));
    expect(writing.sort()).toEqual([...JOURNALING_FUNCTIONS].sort());
  });
});
