/**
 * Reading the files NSE publishes (functions/core/csv.ts): plain or zipped CSV, UTF-8 only,
 * records with the line numbers a spreadsheet shows. Bhavcopy and corporate-action parsing on
 * top of it are in bhavcopy.test.ts and corporate-actions.test.ts.
 */
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { columnIndex, csvRecords, csvText, UnreadableFileError } from '../../functions/core/csv';

/** A zip whose central directory claims `size` unzipped bytes for its one file. */
function zipClaiming(size: number): Uint8Array {
  const zip = zipSync({ 'big.csv': strToU8('a,b\n') }, { level: 0 });
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  for (let i = 0; i + 4 <= zip.length; i++) {
    if (view.getUint32(i, true) === 0x02014b50) view.setUint32(i + 24, size, true);
  }
  return zip;
}

const refusal = (bytes: Uint8Array) => {
  try {
    csvText(bytes);
  } catch (error) {
    // The name is what a log line shows if one ever escapes unwrapped.
    expect(error).toBeInstanceOf(UnreadableFileError);
    expect((error as Error).name).toBe('UnreadableFileError');
    return (error as Error).message;
  }
  return 'read';
};

describe('csvText', () => {
  it('reads plain UTF-8 text, and the same text zipped whatever the file inside is called', () => {
    const text = 'SYMBOL,CLOSE\nTCS,4012.50\nNESTLÉ,1.00\n';
    expect(csvText(strToU8(text))).toBe(text);
    expect(csvText(zipSync({ 'bhav.csv': strToU8(text) }))).toBe(text);
    expect(csvText(zipSync({ 'BHAV.CSV': strToU8(text) }))).toBe(text);
    // Only .csv entries count: a readme beside the CSV does not make it two files.
    expect(csvText(zipSync({ 'readme.txt': strToU8('hi'), 'bhav.csv': strToU8(text) }))).toBe(text);
  });

  it('judges a zip by its first four bytes, not by a look-alike start', () => {
    // "PK" followed by anything but 03 04 is text that happens to start with PK.
    for (const start of ['PK\x00\x04', 'PK\x03\x05', 'PX\x03\x04', 'QK\x03\x04']) {
      expect(csvText(strToU8(`${start},x\n`))).toBe(`${start},x\n`);
    }
    expect(refusal(strToU8('PK\x03\x04 not really a zip'))).toMatch(/^not a readable zip file \(.+\)$/);
  });

  it('refuses a zip with no CSV or several, naming how many it holds', () => {
    expect(refusal(zipSync({ 'a.txt': strToU8('x'), 'a.csv.txt': strToU8('x') }))).toBe(
      'the zip holds 0 CSV files; expected exactly one',
    );
    expect(refusal(zipSync({ 'a.csv': strToU8('x'), 'b.csv': strToU8('y') }))).toBe(
      'the zip holds 2 CSV files; expected exactly one',
    );
  });

  it('refuses a file that would unzip to more than 64 MB before unzipping it', () => {
    expect(refusal(zipClaiming(64 * 2 ** 20 + 1))).toBe('big.csv in the zip is over 64 MB');
    expect(refusal(zipClaiming(64 * 2 ** 20))).toBe('read');
  });

  it('refuses bytes that are not UTF-8 instead of importing replacement characters', () => {
    expect(refusal(Uint8Array.of(0x41, 0xff, 0x42))).toBe('not UTF-8 text');
    expect(refusal(zipSync({ 'a.csv': Uint8Array.of(0xc3, 0x28) }))).toBe('not UTF-8 text');
  });
});

describe('csvRecords', () => {
  it('gives trimmed cells with their 1-based line, skips empty lines and keeps ragged rows', () => {
    const text = 'SYMBOL, SERIES \n\nTCS,"EQ ",extra\n INFY ,BE\n';
    expect(csvRecords(text)).toEqual([
      { line: 1, cells: ['SYMBOL', 'SERIES'] },
      { line: 3, cells: ['TCS', 'EQ', 'extra'] },
      { line: 4, cells: ['INFY', 'BE'] },
    ]);
  });

  it('refuses broken quoting, saying why', () => {
    expect(() => csvRecords('A,B\n"open,1\n')).toThrow(UnreadableFileError);
    expect(() => csvRecords('A,B\n"open,1\n')).toThrow(/^not a readable CSV file \(.+\)$/);
  });
});

describe('columnIndex', () => {
  it('finds each named column wherever it is, or nothing when one is missing', () => {
    expect(columnIndex(['DATE', 'SYMBOL', 'CLOSE'], ['SYMBOL', 'CLOSE'] as const)).toEqual({
      SYMBOL: 1,
      CLOSE: 2,
    });
    expect(columnIndex(['SYMBOL', 'CLOSE'], ['SYMBOL'] as const)).toEqual({ SYMBOL: 0 });
    expect(columnIndex(['SYMBOL', 'PRICE'], ['SYMBOL', 'CLOSE'] as const)).toBeUndefined();
    expect(columnIndex(['SYMBOL', 'PRICE'], ['CLOSE', 'SYMBOL'] as const)).toBeUndefined();
  });
});
