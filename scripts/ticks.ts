/**
 * `npm run ticks -- <file.csv|file.jsonl> [--aws]`
 * Publishes ticks to the price stream: the local emulator (KINESIS_ENDPOINT, default
 * http://127.0.0.1:${KINESIS_PORT:-4567}) or, with --aws, the stream in your AWS account
 * (standard AWS credentials and region). Stream: PRICE_STREAM_NAME (default price-ticks).
 */
import { parseArgs } from 'node:util';
import { kinesisClient } from '../local/kinesis';
import { publishTicks, readTickFile } from '../local/publish';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { aws: { type: 'boolean', default: false } },
});
const file = positionals[0];
if (!file) {
  console.error('usage: npm run ticks -- <file.csv|file.jsonl> [--aws]');
  process.exit(2);
}
const stream = process.env.PRICE_STREAM_NAME ?? 'price-ticks';
const endpoint = values.aws
  ? undefined
  : (process.env.KINESIS_ENDPOINT ?? `http://127.0.0.1:${process.env.KINESIS_PORT ?? 4567}`);
const client = kinesisClient(endpoint);
try {
  const ticks = await readTickFile(file);
  const tty = process.stdout.isTTY;
  const sent = await publishTicks(client, stream, ticks, (done, total) => {
    const line = `published ${done}/${total} ticks to ${stream}`;
    if (tty) process.stdout.write(`\r${line}`);
    else console.log(line);
  });
  if (tty) process.stdout.write('\n');
  console.log(`done: ${sent} ticks on ${endpoint ?? 'AWS'} stream ${stream}`);
} catch (error) {
  console.error(`\nCould not publish: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  client.destroy();
}
