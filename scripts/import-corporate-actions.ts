/**
 * `npm run import-corporate-actions -- <file>…`: NSE's corporate-actions CSV; splits and bonuses
 * are stored (SPEC §11), dividends and other purposes skipped and counted, unreadable split or
 * bonus purposes reported. DATABASE_URL as for import-bhavcopy. Exit 1 when a file was refused
 * (the others still import), 2 on bad arguments.
 */
import { corporateActionsSummaryLine, importCorporateActionsFiles } from './lib/history-files';
import { runImportCli } from './lib/import-cli';

await runImportCli({
  usage: 'npm run import-corporate-actions -- <file.csv>…',
  importFiles: importCorporateActionsFiles,
  summaryLine: corporateActionsSummaryLine,
});
