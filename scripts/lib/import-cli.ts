/**
 * The command line both history importers share (`npm run import-bhavcopy`,
 * `npm run import-corporate-actions`): file arguments, the application role's connection, one
 * summary line, and the exit code: 1 when a file was refused (the others still import) or the
 * import failed, 2 on bad arguments.
 */
import { resolve } from 'node:path';
import { closeDb, db, type Sql } from '../../functions/platform/db';
import { appUrlFromEnv } from '../../local/postgres';

export async function runImportCli<S extends { refused: unknown[] }>(cli: {
  usage: string;
  importFiles: (sql: Sql, files: string[], log: (line: string) => void) => Promise<S>;
  summaryLine: (summary: S) => string;
}): Promise<void> {
  const files = process.argv.slice(2);
  if (files.length === 0 || files.some((f) => f.startsWith('-'))) {
    console.error(`usage: ${cli.usage}`);
    process.exit(2);
  }
  try {
    // As the application role (docs/database.md); DATABASE_URL names the server's admin role.
    process.env.DATABASE_URL = await appUrlFromEnv(process.env, resolve(import.meta.dirname, '../..'));
    const summary = await cli.importFiles(await db(), files, (line) => console.log(line));
    console.log(cli.summaryLine(summary));
    if (summary.refused.length) process.exitCode = 1;
  } catch (error) {
    console.error(`Import failed: ${(error as Error).message}`);
    process.exitCode = 1;
  } finally {
    await closeDb();
  }
}
