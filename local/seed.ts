/**
 * The seed of `npm start`: `data/stocks.csv` (or SEED_FILE) published as ticks at every start.
 *
 * Seed ticks without a `ts` of their own are stamped with the file's modification time (never
 * later than now), not their arrival time. Under the latest-price rule a tick only replaces an
 * older one, so a restart re-publishing the same file changes nothing, while any live tick
 * newer than the file keeps its price. Editing the file makes its prices the newest again.
 */
import { stat } from 'node:fs/promises';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { publishTicks, readTickFile, type TickPayload } from './publish';

/** `ticks` with `ts` set to `ts` on every JSON object that has none. */
export function stampTicks(ticks: TickPayload[], ts: string): TickPayload[] {
  return ticks.map((tick) => {
    let value: unknown;
    try {
      value = JSON.parse(tick.data);
    } catch {
      return tick;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value) || 'ts' in value) return tick;
    return { ...tick, data: JSON.stringify({ ...value, ts }) };
  });
}

/** Publish the seed file to `stream`; returns the number of ticks sent. */
export async function publishSeed(
  client: KinesisClient,
  stream: string,
  file: string,
  nowMs: number = Date.now(),
): Promise<number> {
  const { mtimeMs } = await stat(file);
  const ts = new Date(Math.min(Math.floor(mtimeMs), nowMs)).toISOString();
  return publishTicks(client, stream, stampTicks(await readTickFile(file), ts));
}
