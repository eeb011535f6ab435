/**
 * Composes the stacks. `bin/app.ts` calls this for `cdk synth/deploy`; tests call it to synth
 * the same tree. Stacks are environment-agnostic (no account/region, no lookups), so synth is
 * offline and deterministic.
 */
import { type App, Tags } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { loadStageConfig, type StageConfig } from './config';
import { ApiStack } from './stacks/api-stack';
import { DataStack } from './stacks/data-stack';
import { IngestStack } from './stacks/ingest-stack';
import { ObservabilityStack } from './stacks/observability-stack';

export interface StockConsultant {
  readonly config: StageConfig;
  readonly data: DataStack;
  readonly ingest: IngestStack;
  readonly api: ApiStack;
  readonly observability: ObservabilityStack;
}

export function createStockConsultant(
  app: App,
  config: StageConfig = loadStageConfig(app.node),
): StockConsultant {
  const { prefix } = config;
  const data = new DataStack(app, `${prefix}-Data`, {
    config,
    description: 'Stock Consultant: VPC, PostgreSQL (RDS + Proxy), migrations',
  });
  const schema = data.migrations.trigger;
  const ingest = new IngestStack(app, `${prefix}-Ingest`, {
    config,
    network: data.network,
    database: data.databaseBinding,
    schema,
    description: 'Stock Consultant: price stream and consumer',
  });
  const api = new ApiStack(app, `${prefix}-Api`, {
    config,
    network: data.network,
    database: data.databaseBinding,
    schema,
    description: 'Stock Consultant: Cognito and the HTTP API',
  });

  const functions = new Map<string, IFunction>([
    ['Consumer', ingest.consumer],
    ['Migrate', data.migrations.function],
  ]);
  for (const [routeKey, fn] of api.routeFunctions) functions.set(routeKey.replace(/[^A-Za-z0-9]+/g, ''), fn);

  const observability = new ObservabilityStack(app, `${prefix}-Observability`, {
    config,
    consumer: ingest.consumer,
    failureQueue: ingest.failureQueue,
    httpApi: api.httpApi,
    functions,
    database: data.database.instance,
    description: 'Stock Consultant: alarms and dashboard',
  });

  Tags.of(app).add('project', 'stock-consultant');
  Tags.of(app).add('stage', config.stage);
  return { config, data, ingest, api, observability };
}
