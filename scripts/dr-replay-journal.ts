/**
 * `npm run dr-replay-journal -- [--file .local/journal.jsonl | --bucket <journal bucket>]`:
 * after a database restore,
 * re-apply what the restore must not undo (key revocations, analysis deletions, payments,
 * invoice numbers; functions/platform/journal.ts) to DATABASE_URL (without it, the database
 * `npm start` runs, PG_PORT default 5433). Idempotent. Exit 0 when everything applied, 1 when
 * something needs an operator (printed), 2 when the journal or the database cannot be read.
 * Entries for a key or analysis the database does not hold (or holds for another user) are
 * ignored and listed (`ignored:`), without changing the exit code: nothing is left to do for them.
 * `--bucket` reads the stage's S3 journal (AWS credentials and region from the environment, as
 * for the AWS CLI; the bucket name is the Data stack's `JournalBucketName` output).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { S3Client } from '@aws-sdk/client-s3';
import { closeDb, db } from '../functions/platform/db';
import { readJournal, readS3Journal } from '../functions/platform/journal';
import { embeddedPostgresUrl } from '../local/postgres';
import { replayJournal } from './lib/dr/replay';

const { values } = parseArgs({
  options: { file: { type: 'string' }, bucket: { type: 'string' } },
  strict: true,
});
if (values.file && values.bucket) {
  console.error('dr-replay-journal: give --file or --bucket, not both');
  process.exit(2);
}
const bucket = values.bucket;
const file =
  values.file ?? process.env.JOURNAL_FILE ?? join(import.meta.dirname, '..', '.local', 'journal.jsonl');
const source = bucket ? `s3://${bucket}` : file;
process.env.DATABASE_URL ||= embeddedPostgresUrl(Number(process.env.PG_PORT ?? 5433), 'stocks');

try {
  const entries = bucket ? await readS3Journal(bucket, new S3Client({})) : await readJournal(file);
  const result = await replayJournal(await db(), entries);
  console.log(
    `journal ${source}: ${entries.length} entries, ${result.applied} applied, ${result.unchanged} already in effect, ${result.ignored.length} ignored`,
  );
  for (const line of result.ignored) console.log(`  ignored: ${line}`);
  for (const line of result.unresolved) console.log(`  TO DO: ${line}`);
  process.exitCode = result.unresolved.length ? 1 : 0;
} catch (error) {
  console.error(`dr-replay-journal could not run: ${(error as Error).message}`);
  process.exitCode = 2;
} finally {
  await closeDb();
}
