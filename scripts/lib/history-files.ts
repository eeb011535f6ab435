/**
 * Importing many history files from disk (the CLI commands, `npm start`'s sample history, the
 * bench): one file at a time, each in its own statement, with progress and a summary. A refused
 * or unreadable file is reported and counted while the others still import.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  importBhavcopyFile,
  importCorporateActionsFile,
  NotABhavcopyError,
  NotACorporateActionsFileError,
} from '../../functions/market/history-import';
import type { Sql } from '../../functions/platform/db';

export interface BhavcopySummary {
  files: number;
  refused: string[];
  imported: number;
  skippedBySeries: Record<string, number>;
  badRows: number;
  seconds: number;
}

/** Bad rows printed per file; the rest are counted (a broken export can have thousands). */
const MAX_BAD_SHOWN = 20;

const n = (x: number) => Math.round(x).toLocaleString('en');
const bySeries = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([series, count]) => `${series} ${n(count)}`)
    .join(', ') || 'none';

function reportBad(bad: { line: number; reason: string }[], name: string, log: (line: string) => void) {
  for (const { line, reason } of bad.slice(0, MAX_BAD_SHOWN)) log(`    ${name}:${line}: ${reason}`);
  if (bad.length > MAX_BAD_SHOWN) log(`    … and ${n(bad.length - MAX_BAD_SHOWN)} more bad rows in ${name}`);
}

/** Why a file could not be imported, in words for the person running the command. */
function refusal(error: unknown, path: string): string | undefined {
  if (error instanceof NotABhavcopyError || error instanceof NotACorporateActionsFileError) {
    return `refused, nothing imported: ${error.message}`;
  }
  const e = error as NodeJS.ErrnoException;
  if (e.code === 'ENOENT') return `refused: no such file ${path}`;
  if (e.code === 'EISDIR') return `refused: ${path} is a folder`;
  return undefined;
}

/** Add `counts` into `into`, key by key. */
function addCounts(into: Record<string, number>, counts: Record<string, number>) {
  for (const [key, count] of Object.entries(counts)) into[key] = (into[key] ?? 0) + count;
}

/**
 * Read each file in order and hand it to `importOne` with its progress prefix
 * (`[2/5] name:`); a file refused or unreadable is logged and listed in `refused`, and the
 * others still import. Any other error stops the run.
 */
async function eachFile(
  paths: string[],
  log: (line: string) => void,
  refused: string[],
  importOne: (file: { name: string; bytes: Buffer }, prefix: string) => Promise<void>,
): Promise<void> {
  for (const [i, path] of paths.entries()) {
    const name = basename(path);
    const prefix = `[${i + 1}/${paths.length}] ${name}:`;
    try {
      await importOne({ name, bytes: await readFile(path) }, prefix);
    } catch (error) {
      const why = refusal(error, path);
      if (!why) throw error;
      refused.push(name);
      log(`${prefix} ${why}`);
    }
  }
}

/** Import bhavcopy files in order, logging progress (files done of total, rows/s) and a summary. */
export async function importBhavcopyFiles(
  sql: Sql,
  paths: string[],
  log: (line: string) => void,
): Promise<BhavcopySummary> {
  const t0 = performance.now();
  const summary: BhavcopySummary = {
    files: paths.length,
    refused: [],
    imported: 0,
    skippedBySeries: {},
    badRows: 0,
    seconds: 0,
  };
  await eachFile(paths, log, summary.refused, async (file, prefix) => {
    const result = await importBhavcopyFile(sql, file);
    summary.imported += result.imported;
    summary.badRows += result.bad.length;
    addCounts(summary.skippedBySeries, result.skippedBySeries);
    const rate = summary.imported / ((performance.now() - t0) / 1000);
    const skipped = Object.values(result.skippedBySeries).reduce((a, b) => a + b, 0);
    log(
      `${prefix} ${result.format === 'udiff' ? 'UDiFF' : 'legacy'} ${result.session ?? '(no single session)'}, ${n(result.imported)} imported, ${n(skipped)} skipped, ${n(result.bad.length)} bad; ${n(rate)} rows/s`,
    );
    reportBad(result.bad, file.name, log);
  });
  summary.seconds = (performance.now() - t0) / 1000;
  return summary;
}

export function bhavcopySummaryLine(s: BhavcopySummary): string {
  const done = s.files - s.refused.length;
  return [
    `Imported ${n(s.imported)} bars from ${n(done)} of ${n(s.files)} files in ${s.seconds.toFixed(1)} s (${n(s.imported / Math.max(s.seconds, 1e-3))} rows/s).`,
    `Skipped by series: ${bySeries(s.skippedBySeries)}. Bad rows: ${n(s.badRows)}.`,
    s.refused.length ? `Refused files: ${s.refused.join(', ')}.` : '',
  ]
    .filter(Boolean)
    .join(' ');
}

export interface CorporateActionsSummary {
  files: number;
  refused: string[];
  actions: number;
  added: number;
  skipped: Record<string, number>;
  badRows: number;
}

/** Import corporate-actions files in order, one line per file, and sum them up. */
export async function importCorporateActionsFiles(
  sql: Sql,
  paths: string[],
  log: (line: string) => void,
): Promise<CorporateActionsSummary> {
  const summary: CorporateActionsSummary = {
    files: paths.length,
    refused: [],
    actions: 0,
    added: 0,
    skipped: {},
    badRows: 0,
  };
  await eachFile(paths, log, summary.refused, async (file, prefix) => {
    const result = await importCorporateActionsFile(sql, file);
    summary.actions += result.actions;
    summary.added += result.added;
    summary.badRows += result.bad.length;
    addCounts(summary.skipped, result.skipped);
    log(
      `${prefix} ${n(result.actions)} splits and bonuses (${n(result.added)} new), skipped ${bySeries(result.skipped)}, ${n(result.bad.length)} not imported`,
    );
    reportBad(result.bad, file.name, log);
  });
  return summary;
}

export function corporateActionsSummaryLine(s: CorporateActionsSummary): string {
  return [
    `Imported ${n(s.actions)} splits and bonuses (${n(s.added)} new) from ${n(s.files - s.refused.length)} of ${n(s.files)} files.`,
    `Skipped: ${bySeries(s.skipped)}. Not imported (reported above): ${n(s.badRows)}.`,
    s.refused.length ? `Refused files: ${s.refused.join(', ')}.` : '',
  ]
    .filter(Boolean)
    .join(' ');
}
