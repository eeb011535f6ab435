/** Importing bhavcopy files: official bars, idempotent, authoritative over ticks; the CLI's report. */
import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler } from '../../functions/consumer';
import { importBhavcopyFile, NotABhavcopyError } from '../../functions/market/history-import';
import { useTestDatabase } from '../helpers/db';
import { kinesisEvent, lambdaContext } from '../helpers/events';
import { runScript } from '../helpers/script';

const db = useTestDatabase();
const FIXTURES = join(import.meta.dirname, '../fixtures/history');
const UDIFF_NAME = 'BhavCopy_NSE_CM_0_0_0_20261204_F_0000.csv';
const LEGACY_NAME = 'cm04DEC2023bhav.csv';
let dir: string;

async function fixture(name: string) {
  return { name, bytes: new Uint8Array(await readFile(join(FIXTURES, name))) };
}

async function reset() {
  await db.current.sql`TRUNCATE daily_bars, latest_prices, quarantined_ticks`;
}

async function bars() {
  return db.current.sql`
    SELECT symbol, session::text, open::text, high::text, low::text, close::text, volume::bigint::text,
           official, updated_at
    FROM daily_bars ORDER BY session, symbol COLLATE "C"`;
}

const cli = (args: string[]) =>
  runScript('scripts/import-bhavcopy.ts', args, { DATABASE_URL: db.current.url });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bhavcopy-'));
});

/** Starting `npx tsx` takes long on a busy machine: the CLI tests get more than the default 30 s. */
const CLI_TIMEOUT = 120_000;

describe('importBhavcopyFile', () => {
  it('stores EQ and BE rows as official bars and reports the rest', async () => {
    await reset();
    const result = await importBhavcopyFile(db.current.sql, await fixture(UDIFF_NAME));
    expect(result).toEqual({
      format: 'udiff',
      session: '2026-12-04',
      imported: 5,
      skippedBySeries: { GB: 1, SM: 1 },
      bad: [
        { line: 9, reason: 'HghPric is below LwPric' },
        { line: 10, reason: 'ClsPric is missing' },
        { line: 11, reason: 'OpnPric must be positive' },
      ],
    });
    const rows = await bars();
    expect(rows.map((r) => r.symbol)).toEqual(['KAYA', 'M&M', 'NIFTYBEES', 'RELIANCE', 'TCS']);
    expect(rows[3]).toMatchObject({
      session: '2026-12-04',
      open: '1410.00',
      high: '1425.90',
      low: '1402.10',
      close: '1418.30',
      volume: '6148311',
      official: true,
    });
  });

  it('changes nothing when the same file is imported twice', async () => {
    await reset();
    await importBhavcopyFile(db.current.sql, await fixture(LEGACY_NAME));
    const first = await bars();
    const again = await importBhavcopyFile(db.current.sql, await fixture(LEGACY_NAME));
    expect(again.imported).toBe(4);
    // updated_at included: the rows were not even rewritten.
    expect(await bars()).toEqual(first);
  });

  it('replaces the tick-built bar of the session, and later ticks of that session leave it alone', async () => {
    await reset();
    const ts = '2026-12-04T06:00:00Z'; // 11:30 IST on the file's session
    await handler(kinesisEvent([{ data: { symbol: 'TCS', price: 2999, ts, volume: 10 } }]), lambdaContext());
    expect((await bars())[0]).toMatchObject({ symbol: 'TCS', close: '2999.00', official: false });

    await importBhavcopyFile(db.current.sql, await fixture(UDIFF_NAME));
    await handler(
      kinesisEvent([{ data: { symbol: 'TCS', price: 3500, ts: '2026-12-04T09:59:00Z', volume: 9_999_999 } }]),
      lambdaContext(),
    );
    const tcs = (await bars()).find((r) => r.symbol === 'TCS');
    expect(tcs).toMatchObject({
      open: '3050.00',
      high: '3066.00',
      low: '3031.25',
      close: '3045.60',
      volume: '1890432',
      official: true,
    });
  });

  it('refuses a file that is not a bhavcopy with nothing written', async () => {
    await reset();
    const stocks = { name: 'stocks.csv', bytes: new Uint8Array(await readFile('data/stocks.csv')) };
    await expect(importBhavcopyFile(db.current.sql, stocks)).rejects.toThrow(NotABhavcopyError);
    await expect(importBhavcopyFile(db.current.sql, stocks)).rejects.toThrow(
      /^stocks\.csv: its header matches neither/,
    );
    expect(await bars()).toEqual([]);
  });
});

describe('npm run import-bhavcopy', () => {
  it(
    'imports every good file, zipped or not, refuses the bad one, reports progress and a summary, exits 1',
    async () => {
      await reset();
      const zipped = join(dir, `${UDIFF_NAME}.zip`);
      await writeFile(zipped, zipSync({ [UDIFF_NAME]: (await fixture(UDIFF_NAME)).bytes }));
      const legacy = join(dir, LEGACY_NAME);
      await copyFile(join(FIXTURES, LEGACY_NAME), legacy);
      const notBhavcopy = join(dir, 'stocks.csv');
      await copyFile('data/stocks.csv', notBhavcopy);

      const out = await cli([zipped, notBhavcopy, legacy]);

      expect(out.code).toBe(1);
      expect(out.stdout).toMatch(
        /\[1\/3\] BhavCopy_NSE_CM_0_0_0_20261204_F_0000\.csv\.zip: UDiFF 2026-12-04, 5 imported, 2 skipped, 3 bad; [\d,]+ rows\/s/,
      );
      expect(out.stdout).toMatch(
        /BhavCopy_NSE_CM_0_0_0_20261204_F_0000\.csv\.zip:9: HghPric is below LwPric/,
      );
      expect(out.stdout).toMatch(/\[2\/3\] stocks\.csv: refused, nothing imported: .*header matches neither/);
      expect(out.stdout).toMatch(
        /\[3\/3\] cm04DEC2023bhav\.csv: legacy 2023-12-04, 4 imported, 2 skipped, 1 bad/,
      );
      expect(out.stdout).toMatch(
        /Imported 9 bars from 2 of 3 files in [\d.]+ s \([\d,]+ rows\/s\)\. Skipped by series: GB 1, N1 2, SM 1\. Bad rows: 4\. Refused files: stocks\.csv\./,
      );
      const rows = await bars();
      expect(rows.filter((r) => r.session === '2026-12-04')).toHaveLength(5);
      expect(rows.filter((r) => r.session === '2023-12-04')).toHaveLength(4);
    },
    CLI_TIMEOUT,
  );

  it(
    'exits 0 when every file imports (bad rows are reported, not fatal), 2 without files',
    async () => {
      const ok = await cli([join(FIXTURES, LEGACY_NAME)]);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(/Bad rows: 1\./);
      const usage = await cli([]);
      expect(usage.code).toBe(2);
      expect(usage.stderr).toMatch(/usage: npm run import-bhavcopy -- <file/);
    },
    CLI_TIMEOUT,
  );
});
