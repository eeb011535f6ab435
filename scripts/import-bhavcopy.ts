/**
 * `npm run import-bhavcopy -- <file>…`: NSE daily equity bhavcopy files (UDiFF or legacy, plain
 * `.csv` or zipped) become official daily bars (SPEC §11). DATABASE_URL names the database;
 * without it, the one `npm start` runs locally (PG_PORT, default 5433). Exit 1 when a file was
 * refused (the others still import), 2 on bad arguments. Bad rows are reported, not fatal.
 */
import { bhavcopySummaryLine, importBhavcopyFiles } from './lib/history-files';
import { runImportCli } from './lib/import-cli';

await runImportCli({
  usage: 'npm run import-bhavcopy -- <file.csv|file.zip>…',
  importFiles: importBhavcopyFiles,
  summaryLine: bhavcopySummaryLine,
});
