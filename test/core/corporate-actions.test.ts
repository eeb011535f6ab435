/** NSE corporate-action purposes (SPEC §11): splits and bonuses read exactly, the rest skipped or reported. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { strToU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import {
  NotACorporateActionsFileError,
  parseCorporateActions,
  parsePurpose,
} from '../../functions/core/corporate-actions';

const FILE = readFileSync(join(import.meta.dirname, '../fixtures/history/CF-CA-equities.csv'));

describe('parsePurpose', () => {
  it.each([
    ['Face Value Split (Sub-Division) - From Rs 10/- Per Share To Rs 2/- Per Share', 'split', 10, 2],
    ['Face Value Split (Sub-Division) - From Rs 2/- Per Share To Re 1/- Per Share', 'split', 2, 1],
    ['Face Value Split (Sub-Division) - From Re 1/- Per Share To Re 0.50/- Per Share', 'split', 100, 50],
    ['FACE VALUE SPLIT FROM RS.2/- TO RE.1/-', 'split', 2, 1],
    ['Bonus 1:1', 'bonus', 2, 1],
    ['Bonus 3:2', 'bonus', 5, 2],
    [' Bonus  1 : 2 ', 'bonus', 3, 2],
    ['Bonus 1:1 And Dividend - Rs 2 Per Share', 'bonus', 2, 1],
  ])('reads %j as a %s of %i/%i', (purpose, kind, factorNum, factorDen) => {
    expect(parsePurpose(purpose)).toEqual({ kind, factorNum, factorDen });
  });

  it.each([
    ['Dividend - Rs 5 Per Share', 'dividend'],
    ['Interim Dividend - Rs 10 Per Share', 'dividend'],
    ['Annual General Meeting/Dividend - Rs 2 Per Share', 'dividend'],
    ['Final Dividend - Rs 8.50 Per Share', 'dividend'],
    ['Annual General Meeting', 'other'],
    ['Rights 3:17 @ Premium Rs 835/-', 'other'],
    ['Buy Back', 'other'],
  ])('skips %j as %s', (purpose, category) => {
    expect(parsePurpose(purpose)).toEqual({ kind: 'skipped', category });
  });

  it.each([
    ['Stock Split', /without "From Rs/],
    ['Face Value Split (Sub-Division) - From Rs 2/- Per Share To Rs 10/- Per Share', /does not lower/],
    ['Bonus Ncrps 1:116', /plain "Bonus a:b"/],
    ['Bonus Issue', /plain "Bonus a:b"/],
    ['Bonus 0:1', /bonus ratio 0:1/],
    ['Bonus 1:1 And Face Value Split From Rs 10/- To Rs 5/-', /a split and a bonus/],
    ['Consolidation Of Shares From Rs 1/- To Rs 10/-', /consolidation/],
  ])('reports %j instead of guessing', (purpose, reason) => {
    expect(parsePurpose(purpose)).toEqual({ kind: 'unreadable', reason: expect.stringMatching(reason) });
  });
});

describe('parseCorporateActions', () => {
  it("reads NSE's file: splits and bonuses kept, dividends and others counted, unreadable rows by line", () => {
    const { actions, skipped, bad } = parseCorporateActions(FILE);
    expect(actions.map((a) => [a.symbol, a.exDate, a.kind, a.factorNum, a.factorDen, a.line])).toEqual([
      ['HDFCBANK', '2026-09-16', 'split', 2, 1, 2],
      ['MCX', '2026-01-02', 'split', 10, 2, 3],
      ['HDFCBANK', '2026-08-26', 'bonus', 2, 1, 4],
      ['BEL', '2026-09-21', 'bonus', 5, 2, 5],
    ]);
    expect(skipped).toEqual({ dividend: 3, other: 1 });
    expect(bad).toEqual([
      { line: 10, reason: expect.stringMatching(/^PURPOSE "Bonus Ncrps 1:116": .*not imported$/) },
      { line: 11, reason: expect.stringMatching(/^PURPOSE "Stock Split"/) },
      { line: 12, reason: 'EX-DATE "31-Feb-2026" is not a date like 21-Sep-2026' },
    ]);
  });

  it('trims spaces inside quoted cells, as NSE downloads have them', () => {
    const text = `"SYMBOL ","COMPANY NAME","SERIES","PURPOSE ","FACE VALUE","EX-DATE ","RECORD DATE"\n"BEL ","Bharat","EQ ","Bonus 3:2 ","1"," 21-Sep-2026",""\n`;
    expect(parseCorporateActions(strToU8(text)).actions).toEqual([
      {
        symbol: 'BEL',
        exDate: '2026-09-21',
        kind: 'bonus',
        factorNum: 5,
        factorDen: 2,
        purpose: 'Bonus 3:2',
        line: 2,
      },
    ]);
  });

  it('refuses a file without the corporate-action columns', () => {
    expect(() => parseCorporateActions(strToU8('symbol,price\nTCS,1\n'))).toThrow(
      NotACorporateActionsFileError,
    );
  });
});
