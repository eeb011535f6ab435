/** Parsing NSE bhavcopy files (SPEC §11): both formats, plain or zipped, bad rows by line. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { NotABhavcopyError, parseBhavcopy, sessionDate } from '../../functions/core/bhavcopy';

const FIXTURES = join(import.meta.dirname, '../fixtures/history');
const UDIFF = readFileSync(join(FIXTURES, 'BhavCopy_NSE_CM_0_0_0_20261204_F_0000.csv'));
const LEGACY = readFileSync(join(FIXTURES, 'cm04DEC2023bhav.csv'));

describe('parseBhavcopy', () => {
  it('is tested on the header rows exactly as NSE publishes them', () => {
    const firstLine = (bytes: Buffer) => bytes.toString('utf8').split(/\r?\n/)[0];
    expect(firstLine(UDIFF)).toBe(
      'TradDt,BizDt,Sgmt,Src,FinInstrmTp,FinInstrmId,ISIN,TckrSymb,SctySrs,XpryDt,FininstrmActlXpryDt,StrkPric,OptnTp,FinInstrmNm,OpnPric,HghPric,LwPric,ClsPric,LastPric,PrvsClsgPric,UndrlygPric,SttlmPric,OpnIntrst,ChngInOpnIntrst,TtlTradgVol,TtlTrfVal,TtlNbOfTxsExctd,SsnId,NewBrdLotQty,Rmks,Rsvd1,Rsvd2,Rsvd3,Rsvd4',
    );
    // The legacy header ends with a comma: every legacy row has an empty last cell.
    expect(firstLine(LEGACY)).toBe(
      'SYMBOL,SERIES,OPEN,HIGH,LOW,CLOSE,LAST,PREVCLOSE,TOTTRDQTY,TOTTRDVAL,TIMESTAMP,TOTALTRADES,ISIN,',
    );
  });

  it('reads a UDiFF file by header name: EQ and BE bars, other series counted, bad rows by line', () => {
    const parsed = parseBhavcopy(UDIFF);
    expect(parsed.format).toBe('udiff');
    expect(parsed.session).toBe('2026-12-04');
    expect(parsed.bars.map((b) => b.symbol)).toEqual(['RELIANCE', 'TCS', 'M&M', 'KAYA', 'NIFTYBEES']);
    expect(parsed.bars[0]).toEqual({
      symbol: 'RELIANCE',
      session: '2026-12-04',
      open: '1410.00',
      high: '1425.90',
      low: '1402.10',
      close: '1418.30',
      volume: 6148311,
      line: 2,
    });
    expect(parsed.skippedBySeries).toEqual({ GB: 1, SM: 1 });
    expect(parsed.bad).toEqual([
      { line: 9, reason: 'HghPric is below LwPric' },
      { line: 10, reason: 'ClsPric is missing' },
      { line: 11, reason: 'OpnPric must be positive' },
    ]);
  });

  it('reads a legacy file (trailing comma, DD-MON-YYYY dates, prices without two decimals)', () => {
    const parsed = parseBhavcopy(LEGACY);
    expect(parsed.format).toBe('legacy');
    expect(parsed.session).toBe('2023-12-04');
    expect(parsed.bars.map((b) => [b.symbol, b.open, b.close, b.volume])).toEqual([
      ['RELIANCE', '2410.50', '2418.30', 5000000],
      ['INFY', '1450.00', '1455.20', 3000000],
      ['KAYA', '305.00', '306.10', 5100],
      ['GOLDBEES', '52.10', '52.30', 4000000],
    ]);
    expect(parsed.skippedBySeries).toEqual({ N1: 2 });
    expect(parsed.bad).toEqual([{ line: 8, reason: 'HIGH is below LOW' }]);
  });

  it('reads the same file zipped, whatever the zip is called', () => {
    const zipped = zipSync({ 'BhavCopy_NSE_CM_0_0_0_20261204_F_0000.csv': new Uint8Array(UDIFF) });
    expect(parseBhavcopy(zipped)).toEqual(parseBhavcopy(UDIFF));
  });

  it('finds columns by name, not by position', () => {
    const text =
      'TIMESTAMP,CLOSE,SYMBOL,LOW,SERIES,HIGH,OPEN,TOTTRDQTY\n4-Dec-2023,12.5,ABC,12,EQ,13,12.2,\n';
    expect(parseBhavcopy(strToU8(text)).bars).toEqual([
      {
        symbol: 'ABC',
        session: '2023-12-04',
        open: '12.20',
        high: '13.00',
        low: '12.00',
        close: '12.50',
        volume: null,
        line: 2,
      },
    ]);
  });

  it.each([
    [
      'a price outside low..high',
      'ABC,EQ,14,13,12,12.5,1,04-DEC-2023',
      /OPEN and CLOSE must lie between LOW and HIGH/,
    ],
    ['a price that is not a number', 'ABC,EQ,12,13,12,abc,1,04-DEC-2023', /CLOSE "abc" is not a price/],
    ['a negative price', 'ABC,EQ,12,13,-1,12,1,04-DEC-2023', /LOW "-1" is not a price/],
    ['a price too large to store', 'ABC,EQ,12,99999999,12,12,1,04-DEC-2023', /HIGH 99999999 is above/],
    [
      'a symbol NSE would not issue',
      'ab c,EQ,12,13,12,12,1,04-DEC-2023',
      /SYMBOL "ab c" is not an NSE symbol/,
    ],
    ['a fractional volume', 'ABC,EQ,12,13,12,12,1.5,04-DEC-2023', /TOTTRDQTY "1.5" is not a share count/],
    ['an impossible date', 'ABC,EQ,12,13,12,12,1,31-FEB-2023', /TIMESTAMP "31-FEB-2023" is not a date/],
  ])('reports %s with its line and imports the rest', (_what, row, reason) => {
    const text = `SYMBOL,SERIES,OPEN,HIGH,LOW,CLOSE,TOTTRDQTY,TIMESTAMP\nOK,EQ,1,1,1,1,1,04-DEC-2023\n${row}\n`;
    const parsed = parseBhavcopy(strToU8(text));
    expect(parsed.bars.map((b) => b.symbol)).toEqual(['OK']);
    expect(parsed.bad).toEqual([{ line: 3, reason: expect.stringMatching(reason) }]);
  });

  it('reports a second row for the same symbol and session instead of importing either twice', () => {
    const text =
      'SYMBOL,SERIES,OPEN,HIGH,LOW,CLOSE,TOTTRDQTY,TIMESTAMP\nABC,EQ,1,1,1,1,1,04-DEC-2023\nABC,BE,2,2,2,2,1,04-DEC-2023\n';
    const parsed = parseBhavcopy(strToU8(text));
    expect(parsed.bars.map((b) => b.close)).toEqual(['1.00']);
    expect(parsed.bad).toEqual([{ line: 3, reason: 'ABC on 2023-12-04 already appears on line 2' }]);
  });

  it.each([
    [
      'the stocks CSV',
      'symbol,name,sector,price\nTCS,Tata,IT,3045.6\n',
      /matches neither NSE bhavcopy format/,
    ],
    ['an empty file', '', /matches neither/],
    [
      'a file missing one UDiFF column',
      'TradDt,TckrSymb,SctySrs,OpnPric,HghPric,LwPric,ClsPric\n',
      /matches neither/,
    ],
    ['binary data', '\u0000\u00ff', /matches neither|not/],
    ['broken quoting', 'SYMBOL,SERIES\n"ABC,EQ\n', /not a readable CSV/],
  ])('refuses %s as not a bhavcopy', (_what, text, message) => {
    expect(() => parseBhavcopy(strToU8(text))).toThrow(NotABhavcopyError);
    expect(() => parseBhavcopy(strToU8(text))).toThrow(message);
  });

  it('refuses text that is not UTF-8 and a zip without exactly one CSV', () => {
    expect(() => parseBhavcopy(new Uint8Array([0x53, 0xff, 0xfe, 0x0a]))).toThrow(/not UTF-8/);
    expect(() => parseBhavcopy(zipSync({ 'a.txt': strToU8('x') }))).toThrow(/holds 0 CSV files/);
    expect(() =>
      parseBhavcopy(zipSync({ 'a.csv': new Uint8Array(UDIFF), 'b.csv': new Uint8Array(LEGACY) })),
    ).toThrow(/holds 2 CSV files/);
  });
});

describe('sessionDate', () => {
  it('reads both formats and rejects dates that do not exist', () => {
    expect(sessionDate('2026-12-04', 'udiff')).toBe('2026-12-04');
    expect(sessionDate('4-Dec-2026', 'legacy')).toBe('2026-12-04');
    expect(sessionDate('04-DEC-2026', 'legacy')).toBe('2026-12-04');
    expect(sessionDate('2026-02-30', 'udiff')).toBeNull();
    expect(sessionDate('04-XYZ-2026', 'legacy')).toBeNull();
    expect(sessionDate('04-12-2026', 'legacy')).toBeNull();
  });
});

describe('sessionDate at its edges', () => {
  it('takes the whole cell as the date, nothing before or after it', () => {
    for (const text of ['x2026-12-04', '2026-12-04x', '2026-12-04 10:00', 'today']) {
      expect(sessionDate(text, 'udiff'), text).toBeNull();
    }
    for (const text of ['x4-Dec-2026', '4-Dec-2026x', '4-Dec-20261', 'today']) {
      expect(sessionDate(text, 'legacy'), text).toBeNull();
    }
  });

  it('refuses a two-digit year instead of reading it as 19xx', () => {
    expect(sessionDate('0099-01-01', 'udiff')).toBeNull();
    expect(sessionDate('01-Jan-0099', 'legacy')).toBeNull();
  });
});

describe('bhavcopy rows at their edges', () => {
  const HEADER = 'SYMBOL,SERIES,OPEN,HIGH,LOW,CLOSE,TIMESTAMP,TOTTRDQTY';
  const parse = (...rows: string[]) => parseBhavcopy(strToU8(`${HEADER}\n${rows.join('\n')}\n`));

  it.each([
    ['an open below the low', 'ABC,EQ,11,13,12,12.5,04-DEC-2023,1'],
    ['a close below the low', 'ABC,EQ,12.5,13,12,11,04-DEC-2023,1'],
    ['a close above the high', 'ABC,EQ,12.5,13,12,14,04-DEC-2023,1'],
  ])('reports %s', (_what, row) => {
    expect(parse(row).bad).toEqual([{ line: 2, reason: 'OPEN and CLOSE must lie between LOW and HIGH' }]);
  });

  it('refuses a price with text after the number, and takes the highest price stored', () => {
    expect(parse('ABC,EQ,12,13,12,12.5x,04-DEC-2023,1').bad).toEqual([
      { line: 2, reason: 'CLOSE "12.5x" is not a price' },
    ]);
    const top = parse('ABC,EQ,10000000,10000000,10000000,10000000,04-DEC-2023,1');
    expect(top.bad).toEqual([]);
    expect(top.bars[0]?.close).toBe('10000000.00');
  });

  it('reads volumes re-saved as "1200.00" and a row whose last cells are missing', () => {
    const parsed = parse('ABC,EQ,12,13,12,12.5,04-DEC-2023,1200.00', 'XYZ,EQ,12,13,12,12.5,04-DEC-2023');
    expect(parsed.bad).toEqual([]);
    expect(parsed.bars.map((b) => [b.symbol, b.volume])).toEqual([
      ['ABC', 1200],
      ['XYZ', null],
    ]);
  });

  it('counts rows with a blank series as skipped under "(blank)"', () => {
    expect(parse('ABC,,12,13,12,12.5,04-DEC-2023,1').skippedBySeries).toEqual({ '(blank)': 1 });
  });

  it('has no single session when the bars are of several sessions', () => {
    const parsed = parse('ABC,EQ,12,13,12,12.5,04-DEC-2023,1', 'XYZ,EQ,12,13,12,12.5,05-DEC-2023,1');
    expect(parsed.bars).toHaveLength(2);
    expect(parsed.session).toBeNull();
    expect(parse('ABC,EQ,12,13,12,12.5,04-DEC-2023,1').session).toBe('2023-12-04');
  });

  it('refuses a file that is no bhavcopy, naming the columns each format needs', () => {
    let refused: unknown;
    try {
      parseBhavcopy(strToU8('symbol,price\nTCS,1\n'));
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(NotABhavcopyError);
    expect((refused as Error).name).toBe('NotABhavcopyError');
    expect((refused as Error).message).toBe(
      'its header matches neither NSE bhavcopy format (UDiFF needs TradDt, TckrSymb, SctySrs, OpnPric, HghPric, LwPric, ClsPric, TtlTradgVol; legacy needs TIMESTAMP, SYMBOL, SERIES, OPEN, HIGH, LOW, CLOSE, TOTTRDQTY)',
    );
  });
});
