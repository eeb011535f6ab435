/**
 * `npm run redrive [-- --aws]`
 * Applies the batches the consumer's event source mapping gave up on (see docs/operations.md).
 *
 * Locally (default): reads the failure queue `npm start` keeps in
 * `${LOCAL_DIR:-.local}/failed-batches-<stream>.jsonl`, re-reads each range from the local stream
 * (KINESIS_ENDPOINT, default http://127.0.0.1:${KINESIS_PORT:-4567}) and applies it with the
 * consumer handler in this process, on DATABASE_URL (default: the database of `npm start`).
 * `npm start` must be running (it serves the stream).
 *
 * With --aws: reads the SQS on-failure queue FAILURE_QUEUE_URL, re-reads the ranges from the
 * stream in your account and invokes the deployed consumer function CONSUMER_FUNCTION_NAME
 * with them (both are outputs of the Ingest stack; assume its RedriveRole).
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { fileFailureQueue, localFailureFile } from '../local/failure-queue';
import { kinesisClient } from '../local/kinesis';
import { appUrlFromEnv } from '../local/postgres';
import { type ConsumerHandler, lambdaConsumer, redrive, sqsFailureQueue } from './lib/redrive';

const { values } = parseArgs({ options: { aws: { type: 'boolean', default: false } } });
const env = process.env;

function required(name: string): string {
  const value = env[name];
  if (!value) {
    console.error(`${name} is not set (see the outputs of the Ingest stack: npx cdk deploy prints them)`);
    process.exit(2);
  }
  return value;
}

let setup: { queue: Awaited<ReturnType<typeof fileFailureQueue>>; handler: ConsumerHandler; where: string };
const kinesis = kinesisClient(
  values.aws ? undefined : (env.KINESIS_ENDPOINT ?? `http://127.0.0.1:${env.KINESIS_PORT ?? 4567}`),
);
if (values.aws) {
  const queueUrl = required('FAILURE_QUEUE_URL');
  const functionName = required('CONSUMER_FUNCTION_NAME');
  setup = {
    queue: sqsFailureQueue(new SQSClient({}), queueUrl),
    handler: lambdaConsumer(new LambdaClient({}), functionName),
    where: queueUrl,
  };
} else {
  const dir = resolve(env.LOCAL_DIR ?? join(import.meta.dirname, '..', '.local'));
  const file = localFailureFile(dir, env.PRICE_STREAM_NAME ?? 'price-ticks');
  // As the application role (docs/database.md); DATABASE_URL names the server's admin role.
  env.DATABASE_URL = await appUrlFromEnv(env, join(import.meta.dirname, '..')).catch((error: unknown) => {
    console.error((error as Error).message);
    return process.exit(2);
  });
  env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  const { handler } = await import('../functions/consumer');
  setup = { queue: await fileFailureQueue(file), handler, where: file };
}

try {
  const result = await redrive({ ...setup, kinesis, log: (line) => console.log(line) });
  console.log(
    `redrive of ${setup.where}: ${result.redriven} batches applied (${result.records} records), ${result.kept} kept`,
  );
  if (result.kept > 0) process.exitCode = 1;
} catch (error) {
  console.error(`Redrive failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  kinesis.destroy();
  if (!values.aws) await (await import('../functions/platform/db')).closeDb();
}
