import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { loadStageConfig } from '../../lib/config';
import { synthApp } from './helpers';

const config = (context: Record<string, unknown>) => () => loadStageConfig(new App({ context }).node);

describe('stages', () => {
  // Synthesized while collecting, not inside a test's 30 s budget: seven stacks take a while.
  synthApp('dev');
  synthApp('prod');

  it('prod keeps its data: snapshot on delete, deletion protection, retained secret, stream, logs', () => {
    const { data, ingest, api } = synthApp('prod').templates;
    data.hasResource('AWS::RDS::DBInstance', {
      DeletionPolicy: 'Snapshot',
      UpdateReplacePolicy: 'Snapshot',
      Properties: { DeletionProtection: true, MultiAZ: true, DeleteAutomatedBackups: false },
    });
    data.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' });
    ingest.hasResource('AWS::Kinesis::Stream', { DeletionPolicy: 'Retain' });
    ingest.hasResource('AWS::SQS::Queue', { DeletionPolicy: 'Retain' });
    api.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Retain',
      Properties: { DeletionProtection: 'ACTIVE' },
    });
    api.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain' });
  }, 120_000); // the first prod synth of this file

  it('dev can be torn down: no protection, everything deleted with the stack', () => {
    const { data, ingest, api } = synthApp('dev').templates;
    data.hasResource('AWS::RDS::DBInstance', {
      DeletionPolicy: 'Delete',
      Properties: { DeletionProtection: false, MultiAZ: false, DeleteAutomatedBackups: true },
    });
    data.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Delete' });
    ingest.hasResource('AWS::Kinesis::Stream', { DeletionPolicy: 'Delete' });
    api.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Delete',
      Properties: { DeletionProtection: 'INACTIVE' },
    });
  });

  it('names stacks by stage so dev and prod can share an account', () => {
    expect(synthApp('dev').data.stackName).toBe('StockConsultant-dev-Data');
    expect(synthApp('prod').api.stackName).toBe('StockConsultant-prod-Api');
  });

  it('rejects unknown stages and unsafe or malformed settings', () => {
    expect(config({ stage: 'production' })).toThrow(/"dev" or "prod"/);
    expect(config({ stage: 'prod', corsOrigins: '*' })).toThrow(/may not be "\*"/);
    expect(config({ corsOrigins: 'example.com' })).toThrow(/not an origin/);
    expect(config({ logLevel: 'LOUD' })).toThrow(/logLevel/);
    expect(config({ selfSignUp: 'yes' })).toThrow(/selfSignUp/);
  });

  it('reads list context from -c as comma-separated text', () => {
    expect(
      loadStageConfig(new App({ context: { corsOrigins: 'https://a.example, https://b.example' } }).node),
    ).toMatchObject({ stage: 'dev', corsOrigins: ['https://a.example', 'https://b.example'] });
  });
});
