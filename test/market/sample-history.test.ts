/**
 * The committed sample history (data/sample-history) is valid bhavcopy data, marked as sample
 * data, and ends where data/stocks.csv says: a newcomer's derived 1-day change is the CSV's.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { parseBhavcopy } from '../../functions/core/bhavcopy';
import { sampleHistory } from '../../local/seed';
import { generate } from '../../scripts/generate-sample-history';

const ROOT = join(import.meta.dirname, '../..');
const stocks = parse(readFileSync(join(ROOT, 'data/stocks.csv')), { columns: true }) as Record<
  string,
  string
>[];

describe('sample history', () => {
  it('is about 120 weekday sessions of every stock, each row marked SAMPLE DATA, ending at the CSV prices', async () => {
    const { files, lastSession } = await sampleHistory(join(ROOT, 'data/sample-history'));
    expect(files).toHaveLength(120);
    expect(lastSession).toBe('2026-12-04');
    for (const file of [files[0] as string, files.at(-1) as string]) {
      const bytes = readFileSync(file);
      const parsed = parseBhavcopy(bytes);
      expect(parsed).toMatchObject({ format: 'udiff', bad: [], skippedBySeries: {} });
      expect(parsed.bars.map((b) => b.symbol)).toEqual(stocks.map((s) => s.symbol));
      expect(
        bytes
          .toString()
          .trim()
          .split('\n')
          .slice(1)
          .every((line) => line.includes(',SAMPLE DATA,')),
      ).toBe(true);
    }
    const last = parseBhavcopy(readFileSync(files.at(-1) as string));
    for (const stock of stocks) {
      const close = Number(last.bars.find((b) => b.symbol === stock.symbol)?.close);
      // The seed's price lands in the next session: its 1-day change is against this close.
      const change = (Number(stock.price) / close - 1) * 100;
      expect(change).toBeCloseTo(Number(stock.change_1d_pct), 1);
    }
  });

  it('is exactly what the committed generator writes (fixed seed)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sample-history-'));
    try {
      await generate(dir);
      const committed = join(ROOT, 'data/sample-history');
      const names = (await readdir(dir)).sort();
      expect(names).toEqual((await readdir(committed)).sort());
      for (const name of names) {
        expect(await readFile(join(dir, name), 'utf8'), name).toBe(
          await readFile(join(committed, name), 'utf8'),
        );
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
