/** Importing NSE's corporate-actions file: splits and bonuses stored once, the rest counted or reported. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  importCorporateActionsFile,
  NotACorporateActionsFileError,
} from '../../functions/market/history-import';
import { useTestDatabase } from '../helpers/db';
import { runScript } from '../helpers/script';

const db = useTestDatabase();
const FILE = join(import.meta.dirname, '../fixtures/history/CF-CA-equities.csv');

async function actions() {
  return db.current.sql`
    SELECT symbol, ex_date::text, kind, factor_num, factor_den, purpose, imported_at
    FROM corporate_actions ORDER BY ex_date, symbol`;
}

const cli = (args: string[]) =>
  runScript('scripts/import-corporate-actions.ts', args, { DATABASE_URL: db.current.url });

describe('importCorporateActionsFile', () => {
  it('stores splits and bonuses with their exact factor, once however often the file is imported', async () => {
    await db.current.sql`TRUNCATE corporate_actions`;
    const file = { name: 'CF-CA-equities.csv', bytes: new Uint8Array(await readFile(FILE)) };
    const first = await importCorporateActionsFile(db.current.sql, file);
    expect(first).toMatchObject({ actions: 4, added: 4, skipped: { dividend: 3, other: 1 } });
    expect(first.bad.map((b) => b.line)).toEqual([10, 11, 12]);
    const stored = await actions();
    expect(stored.map((a) => [a.symbol, a.ex_date, a.kind, a.factor_num, a.factor_den])).toEqual([
      ['MCX', '2026-01-02', 'split', 10, 2],
      ['HDFCBANK', '2026-08-26', 'bonus', 2, 1],
      ['HDFCBANK', '2026-09-16', 'split', 2, 1],
      ['BEL', '2026-09-21', 'bonus', 5, 2],
    ]);

    const again = await importCorporateActionsFile(db.current.sql, file);
    expect(again).toMatchObject({ actions: 4, added: 0 });
    expect(await actions()).toEqual(stored);
  });

  it('refuses a bhavcopy given by mistake, with nothing written', async () => {
    await db.current.sql`TRUNCATE corporate_actions`;
    const bytes = new Uint8Array(
      await readFile(join(import.meta.dirname, '../fixtures/history/cm04DEC2023bhav.csv')),
    );
    await expect(importCorporateActionsFile(db.current.sql, { name: 'cm.csv', bytes })).rejects.toThrow(
      NotACorporateActionsFileError,
    );
    expect(await actions()).toEqual([]);
  });
});

describe('npm run import-corporate-actions', () => {
  it('imports the good file, reports unreadable purposes by line, refuses a missing file and exits 1', async () => {
    await db.current.sql`TRUNCATE corporate_actions`;
    const out = await cli([FILE, 'no-such-file.csv']);
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(
      /\[1\/2\] CF-CA-equities\.csv: 4 splits and bonuses \(4 new\), skipped dividend 3, other 1, 3 not imported/,
    );
    expect(out.stdout).toMatch(/CF-CA-equities\.csv:10: PURPOSE "Bonus Ncrps 1:116"/);
    expect(out.stdout).toMatch(/\[2\/2\] no-such-file\.csv: refused: no such file/);
    expect(out.stdout).toMatch(/Imported 4 splits and bonuses \(4 new\) from 1 of 2 files\./);
    expect(await actions()).toHaveLength(4);
  }, 120_000);
});
