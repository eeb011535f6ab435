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

describe('parsePurpose at its edges', () => {
  it('reads "Subdivision" without a hyphen as a split', () => {
    expect(parsePurpose('Face Value Subdivision From Rs 10/- To Rs 5/-')).toEqual({
      kind: 'split',
      factorNum: 10,
      factorDen: 5,
    });
  });

  it.each([
    ['From Rs 10/- To Rs 10/-', /from Rs 10 to Rs 10 does not lower/],
    ['From Rs 10/- To Rs 0/-', /from Rs 10 to Rs 0 does not lower/],
    // Factors are stored as 32-bit integers: a larger one is reported, not overflowed.
    ['From Rs 2147483648/- To Rs 1/-', /does not lower/],
  ])('reports the split %j', (purpose, reason) => {
    expect(parsePurpose(`Face Value Split ${purpose}`)).toEqual({
      kind: 'unreadable',
      reason: expect.stringMatching(reason),
    });
  });

  it('takes factors up to the largest 32-bit integer', () => {
    expect(parsePurpose('Face Value Split From Rs 2147483647/- To Rs 1/-')).toEqual({
      kind: 'split',
      factorNum: 2147483647,
      factorDen: 1,
    });
    expect(parsePurpose('Bonus 2147483646:1')).toEqual({
      kind: 'bonus',
      factorNum: 2147483647,
      factorDen: 1,
    });
    expect(parsePurpose('Bonus 2147483647:1')).toEqual({
      kind: 'unreadable',
      reason: 'bonus ratio 2147483647:1',
    });
    expect(parsePurpose('Bonus 1:0')).toEqual({ kind: 'unreadable', reason: 'bonus ratio 1:0' });
  });
});

describe('parseCorporateActions row checks', () => {
  const file = (header: string, ...rows: string[]) => strToU8(`${header}\n${rows.join('\n')}\n`);
  const HEADER = 'SYMBOL,SERIES,PURPOSE,EX-DATE';

  it('reports a bad symbol, an over-long purpose and a missing cell by line, and keeps the purpose as read', () => {
    const dividend = (n: number) => `Bonus 1:1 And Dividend ${'x'.repeat(n - 23)}`;
    expect(dividend(500)).toHaveLength(500);
    const parsed = parseCorporateActions(
      file(
        HEADER,
        'bad sym,EQ,Bonus 1:1,21-Sep-2026',
        `BEL,EQ,${dividend(501)},21-Sep-2026`,
        `BEL,EQ,${dividend(500)},21-Sep-2026`,
        'TCS,EQ,Bonus   3:2,21-Sep-2026',
        'ITC,EQ,Bonus 1:1',
      ),
    );
    expect(parsed.bad).toEqual([
      { line: 2, reason: 'SYMBOL "bad sym" is not an NSE symbol' },
      { line: 3, reason: 'PURPOSE is longer than 500 characters' },
      { line: 6, reason: 'EX-DATE "" is not a date like 21-Sep-2026' },
    ]);
    expect(parsed.actions.map((a) => [a.symbol, a.purpose.length, a.line])).toEqual([
      ['BEL', 500, 4],
      ['TCS', 9, 5],
    ]);
    expect(parsed.actions[1]?.purpose).toBe('Bonus 3:2');
  });

  it('reports a row without its symbol cell', () => {
    expect(
      parseCorporateActions(file('PURPOSE,EX-DATE,SERIES,SYMBOL', 'Bonus 1:1,21-Sep-2026,EQ')).bad,
    ).toEqual([{ line: 2, reason: 'SYMBOL "" is not an NSE symbol' }]);
  });

  it('refuses a file that is not text or lacks the columns, naming what it needs', () => {
    const refusal = (bytes: Uint8Array) => {
      try {
        parseCorporateActions(bytes);
      } catch (error) {
        expect(error).toBeInstanceOf(NotACorporateActionsFileError);
        expect((error as Error).name).toBe('NotACorporateActionsFileError');
        return (error as Error).message;
      }
      return 'read';
    };
    expect(refusal(Uint8Array.of(0x53, 0xff))).toBe('not UTF-8 text');
    expect(refusal(strToU8('SYMBOL,SERIES,PURPOSE\nTCS,EQ,Bonus 1:1\n'))).toBe(
      "its header lacks NSE's corporate-action columns SYMBOL, SERIES, PURPOSE, EX-DATE",
    );
  });
});
