/**
 * Publishing ticks: read a CSV (columns of data/stocks.csv) or JSONL file into record payloads
 * and put them on the stream with PutRecords, partition key = symbol, retrying throttled entries.
 */
import { readFile } from 'node:fs/promises';
import { type KinesisClient, PutRecordsCommand, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { parse } from 'csv-parse/sync';

const NUMERIC = new Set(['price', 'change_1d_pct', 'change_7d_pct', 'volatility', 'market_cap_cr']);
const BATCH = 500; // PutRecords maximum
const MAX_ATTEMPTS = 5;

/** One record payload as it goes on the stream (JSON text) and its partition key. */
export interface TickPayload {
  data: string;
  partitionKey: string;
}

function partitionKeyOf(data: string): string {
  try {
    const symbol = (JSON.parse(data) as { symbol?: unknown }).symbol;
    if (typeof symbol === 'string' && symbol.trim()) return symbol.trim().toUpperCase().slice(0, 256);
  } catch {
    // Not JSON: still published (the consumer quarantines it), under a fixed key.
  }
  return 'unparsable';
}

/** CSV text → payloads; numbers as numbers, empty cells left out. */
export function csvTicks(text: string): TickPayload[] {
  const rows = parse(text, { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  return rows.map((row) => {
    const tick: Record<string, string | number> = {};
    for (const [key, value] of Object.entries(row)) {
      if (value === '') continue;
      tick[key] = NUMERIC.has(key) ? Number(value) : value;
    }
    const data = JSON.stringify(tick);
    return { data, partitionKey: partitionKeyOf(data) };
  });
}

/** JSONL text → payloads, each non-blank line as is (so bad lines can be sent on purpose). */
export function jsonlTicks(text: string): TickPayload[] {
  return text
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .map((data) => ({ data, partitionKey: partitionKeyOf(data) }));
}

export async function readTickFile(path: string): Promise<TickPayload[]> {
  const text = await readFile(path, 'utf8');
  if (/\.jsonl$|\.ndjson$/i.test(path)) return jsonlTicks(text);
  if (/\.csv$/i.test(path)) return csvTicks(text);
  throw new Error(`Unsupported tick file ${path}: use .csv or .jsonl`);
}

/** Put payloads on `stream`; calls `onProgress(sent, total)` after each batch. */
export async function publishTicks(
  client: KinesisClient,
  stream: string,
  ticks: TickPayload[],
  onProgress: (sent: number, total: number) => void = () => {},
): Promise<number> {
  let sent = 0;
  for (let start = 0; start < ticks.length; start += BATCH) {
    let entries: PutRecordsRequestEntry[] = ticks
      .slice(start, start + BATCH)
      .map((t) => ({ Data: Buffer.from(t.data, 'utf8'), PartitionKey: t.partitionKey }));
    for (let attempt = 1; entries.length > 0; attempt++) {
      const out = await client.send(new PutRecordsCommand({ StreamName: stream, Records: entries }));
      const failed = entries.filter((_, i) => out.Records?.[i]?.ErrorCode);
      sent += entries.length - failed.length;
      if (failed.length > 0 && attempt >= MAX_ATTEMPTS) {
        throw new Error(`${failed.length} records were not accepted after ${MAX_ATTEMPTS} attempts`);
      }
      if (failed.length > 0) await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
      entries = failed;
    }
    onProgress(sent, ticks.length);
  }
  return sent;
}
