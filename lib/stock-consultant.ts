/**
 * Composes the stacks. `bin/app.ts` calls this for `cdk synth/deploy`; tests call it to synth
 * the same tree. Stacks are environment-agnostic (no account/region, no lookups), so synth is
 * offline and deterministic.
 */
import { type App, Tags } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { JOURNALING_FUNCTIONS } from '../functions/platform/names';
import { ROUTES } from '../functions/routes';
import { loadStageConfig, type StageConfig } from './config';
import { allAlarmNames } from './constructs/alarms';
import { DEFAULT_DR_REGION } from './constructs/backup-replication';
import type { DrJournal } from './constructs/dr-journal';
import { applyFunctionConventions } from './conventions';
import { giveHelperFunctionsLogGroups } from './helper-log-groups';
import { ApiStack } from './stacks/api-stack';
import { BillingStack } from './stacks/billing-stack';
import { DataStack } from './stacks/data-stack';
import { DrKeyStack } from './stacks/dr-key-stack';
import { IngestStack } from './stacks/ingest-stack';
import { ObservabilityStack } from './stacks/observability-stack';
import { WebContentStack } from './stacks/web-content-stack';
import { WebStack } from './stacks/web-stack';

export interface StockConsultant {
  readonly config: StageConfig;
  readonly data: DataStack;
  readonly ingest: IngestStack;
  readonly api: ApiStack;
  readonly billing: BillingStack;
  readonly observability: ObservabilityStack;
  readonly web: WebStack;
  readonly webContent: WebContentStack;
}

export interface StockConsultantOptions {
  /** The built web app to deploy. @default web/dist (built by `npm run web:build` if missing) */
  readonly webDist?: string;
}

export function createStockConsultant(
  app: App,
  config: StageConfig = loadStageConfig(app.node),
  options: StockConsultantOptions = {},
): StockConsultant {
  const { prefix } = config;
  // Deploy order for the web app (no cycle): Web (bucket + CloudFront: its URL is needed by)
  // → Api (Cognito redirect URLs, CORS) → WebContent (files + config.json with the API's URL).
  const web = new WebStack(app, `${prefix}-Web`, {
    config,
    description: 'Stock Consultant: web app hosting (S3, CloudFront)',
  });
  const data = new DataStack(app, `${prefix}-Data`, {
    config,
    description: 'Stock Consultant: VPC, PostgreSQL (RDS + Proxy), migrations',
  });
  // prod: the second region's backup key, deployed first (docs/operations.md "Second region").
  if (config.stage === 'prod') {
    const drKey = new DrKeyStack(app, `${prefix}-DrKey`, {
      config,
      region: app.node.tryGetContext('drRegion') ?? DEFAULT_DR_REGION,
      description:
        'Stock Consultant: KMS key for the database backups, and the journal copy, in the second region',
    });
    // Ordering only (no reference crosses regions): `cdk deploy --all` creates the journal's
    // copy bucket before Data's replication rule names it; S3 refuses a missing destination.
    data.addDependency(drKey, 'the journal replication destination must exist first');
  }
  const schema = data.migrations.trigger;
  const ingest = new IngestStack(app, `${prefix}-Ingest`, {
    config,
    network: data.network,
    database: data.databaseBinding,
    schema,
    description: 'Stock Consultant: price stream and consumer',
  });
  const billing = new BillingStack(app, `${prefix}-Billing`, {
    config,
    network: data.network,
    database: data.databaseBinding,
    schema,
    flexpriceApiUrl: app.node.tryGetContext('flexpriceApiUrl'),
    description: 'Stock Consultant: Flexprice sync, invoice jobs, Flexprice API key',
  });
  const api = new ApiStack(app, `${prefix}-Api`, {
    config,
    network: data.network,
    database: data.databaseBinding,
    schema,
    site: web.site,
    // The admin reconciliation route calls Flexprice like the reconcile job; without egress it
    // could not reach it, so it gets nothing and says Flexprice is not configured.
    ...(config.flexpriceEgress && {
      flexprice: { key: billing.flexpriceKey, apiUrl: billing.flexpriceApiUrl },
    }),
    description: 'Stock Consultant: Cognito and the HTTP API',
  });
  const webContent = new WebContentStack(app, `${prefix}-WebContent`, {
    config,
    site: web.site,
    auth: api.auth,
    api: { url: api.stage.url, origin: api.httpApi.apiEndpoint },
    webDist: options.webDist,
    description: 'Stock Consultant: web app files and config.json',
  });
  // /health reports whether billing sync is configured: it gets the secret's ARN (not the key,
  // and no read permission).
  api.routeFunctions
    .get('GET /health')
    ?.addEnvironment('FLEXPRICE_API_KEY_SECRET_ARN', billing.flexpriceKey.secretArn);
  allowJournalAppends(data.journal, api, billing);

  // Every function of every stack: its stage in STAGE (metrics' `stage` dimension) and its
  // Errors/Throttles alarms in its own stack. Functions added later get both automatically.
  applyFunctionConventions(app, config);
  giveHelperFunctionsLogGroups(app, config.logRetention, config.removalPolicy);

  const observability = new ObservabilityStack(app, `${prefix}-Observability`, {
    config,
    alarmNames: allAlarmNames(app),
    functionStackNames: [data, ingest, api, billing].map((s) => s.stackName),
    httpApi: api.httpApi,
    failureQueue: ingest.failureQueue,
    database: data.database.target,
    proxyName: data.database.proxyName,
    description: 'Stock Consultant: dashboard',
  });

  Tags.of(app).add('project', 'stock-consultant');
  Tags.of(app).add('stage', config.stage);
  return { config, data, ingest, api, billing, observability, web, webContent };
}

/**
 * The functions of JOURNALING_FUNCTIONS may append to the journal, no others; one that does not
 * exist (renamed?) fails synth, rather than deploying a function whose journal is off.
 */
function allowJournalAppends(journal: DrJournal, api: ApiStack, billing: BillingStack): void {
  const byEntry = new Map<string, lambda.Function>([['invoices', billing.invoicesFunction]]);
  for (const route of ROUTES) {
    const fn = api.routeFunctions.get(route.routeKey);
    if (fn) byEntry.set(route.entry, fn);
  }
  for (const entry of JOURNALING_FUNCTIONS) {
    const fn = byEntry.get(entry);
    if (!fn) throw new Error(`JOURNALING_FUNCTIONS names "${entry}", which is no function of the app`);
    journal.allowAppend(fn);
  }
}
