/**
 * The seed of `npm start`: `data/stocks.csv` (or SEED_FILE) published as ticks at every start,
 * and the sample history (data/sample-history) imported on first start.
 *
 * Seed ticks without a `ts` of their own are stamped with the file's modification time (never
 * later than now), not their arrival time. Under the latest-price rule a tick only replaces an
 * older one, so a restart re-publishing the same file changes nothing, while any live tick
 * newer than the file keeps its price. Editing the file makes its prices the newest again.
 *
 * With the sample history, the stamp is also never earlier than the day after the history's
 * last session (IST), so the seed prices land in a session after that history, and the 1-day
 * and 7-day changes derived from them compare with the history's closes. The stamp depends only
 * on the file and the history, so it is the same at every restart. The seed then carries only
 * PRICE_ONLY_FIELDS: the measures come from history, as with a real feed.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { Sql } from '../functions/platform/db';
import { bhavcopySummaryLine, importBhavcopyFiles } from '../scripts/lib/history-files';
import { publishTicks, readTickFile, type TickPayload } from './publish';

/** What a real feed sends, plus the descriptive columns of the seed file. */
export const PRICE_ONLY_FIELDS = ['symbol', 'name', 'sector', 'price', 'market_cap_cr'] as const;

const IST_MIDNIGHT = 'T00:00:00+05:30';

/** Map each JSON-object payload; anything else (a deliberately bad record) is passed on as is. */
function mapObjects(ticks: TickPayload[], fn: (tick: Record<string, unknown>) => Record<string, unknown>) {
  return ticks.map((tick) => {
    let value: unknown;
    try {
      value = JSON.parse(tick.data);
    } catch {
      return tick;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return tick;
    return { ...tick, data: JSON.stringify(fn(value as Record<string, unknown>)) };
  });
}

/** `ticks` with `ts` set to `ts` on every JSON object that has none. */
export function stampTicks(ticks: TickPayload[], ts: string): TickPayload[] {
  return mapObjects(ticks, (tick) => ('ts' in tick ? tick : { ...tick, ts }));
}

/** `ticks` keeping only `fields` (and `ts`) of every JSON object. */
export function pickFields(ticks: TickPayload[], fields: readonly string[]): TickPayload[] {
  const keep = new Set([...fields, 'ts']);
  return mapObjects(ticks, (tick) => Object.fromEntries(Object.entries(tick).filter(([k]) => keep.has(k))));
}

export interface SeedOptions {
  /** Publish only these fields of each tick (all when absent). */
  fields?: readonly string[];
  /** The stamp is never earlier than this (epoch ms), unless that is after now. */
  notBeforeMs?: number;
}

/** Publish the seed file to `stream`; returns the number of ticks sent. */
export async function publishSeed(
  client: KinesisClient,
  stream: string,
  file: string,
  nowMs: number = Date.now(),
  options: SeedOptions = {},
): Promise<number> {
  const { mtimeMs } = await stat(file);
  const stampMs = Math.min(Math.max(Math.floor(mtimeMs), options.notBeforeMs ?? 0), nowMs);
  let ticks = await readTickFile(file);
  if (options.fields) ticks = pickFields(ticks, options.fields);
  return publishTicks(client, stream, stampTicks(ticks, new Date(stampMs).toISOString()));
}

/** The bhavcopy files of a sample-history folder, oldest session first, and that last session. */
export async function sampleHistory(dir: string): Promise<{ files: string[]; lastSession: string | null }> {
  const names = (await readdir(dir))
    .filter((n) => /^BhavCopy_NSE_CM_0_0_0_\d{8}_F_0000\.csv$/.test(n))
    .sort();
  const last = names.at(-1)?.match(/_(\d{4})(\d{2})(\d{2})_F_/);
  return {
    files: names.map((n) => join(dir, n)),
    lastSession: last ? `${last[1]}-${last[2]}-${last[3]}` : null,
  };
}

/** 00:00 IST of the day after `session`: the earliest time of the next session. */
export function startOfNextSession(session: string): number {
  return Date.parse(`${session}${IST_MIDNIGHT}`) + 86_400_000;
}

/**
 * Import the sample history when the database has no daily bars yet (a first start), so that
 * restarts stay fast and real history is never mixed with sample data. Returns a log line.
 */
export async function importSampleHistory(sql: Sql, files: string[]): Promise<string> {
  const [row]: [{ any: boolean }?] = await sql`SELECT EXISTS (SELECT 1 FROM daily_bars) AS any`;
  if (row?.any) return 'daily bars present; sample history not imported';
  const summary = await importBhavcopyFiles(sql, files, () => {});
  return `sample history: ${bhavcopySummaryLine(summary)}`;
}
