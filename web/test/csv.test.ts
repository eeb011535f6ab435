/** Reading a portfolio CSV: what loads, and which line number a bad file reports. */
import { describe, expect, it } from 'vitest';
import { parseHoldingsCsv } from '../src/features/portfolio/csv';

describe('parseHoldingsCsv', () => {
  it('reads symbol,quantity lines with or without a header, normalizing symbols', () => {
    expect(parseHoldingsCsv('symbol,quantity\ntcs,10\n INFY , 25\n')).toEqual({
      ok: true,
      holdings: [
        { symbol: 'TCS', quantity: 10 },
        { symbol: 'INFY', quantity: 25 },
      ],
    });
    expect(parseHoldingsCsv('"M&M",5\r\nBAJAJ-AUTO,1')).toEqual({
      ok: true,
      holdings: [
        { symbol: 'M&M', quantity: 5 },
        { symbol: 'BAJAJ-AUTO', quantity: 1 },
      ],
    });
  });

  it('skips blank lines but counts them in line numbers', () => {
    const result = parseHoldingsCsv('\uFEFFSymbol,Quantity\n\nTCS,10\n\nINFY,2.5\n');
    expect(result).toMatchObject({ ok: false, line: 5 });
    if (!result.ok) expect(result.message).toMatch(/^Line 5: .*whole number/);
  });

  it('reports a wrong number of values, a bad symbol and a quantity out of range by line', () => {
    expect(parseHoldingsCsv('TCS,10\nINFY')).toMatchObject({ ok: false, line: 2 });
    expect(parseHoldingsCsv('TCS,10\nTCS,1\nNOT A SYMBOL,3')).toMatchObject({ ok: false, line: 3 });
    expect(parseHoldingsCsv('TCS,0')).toMatchObject({ ok: false, line: 1 });
    expect(parseHoldingsCsv('TCS,1000000001')).toMatchObject({ ok: false, line: 1 });
  });

  it('treats a header that is not the first content line as a bad line', () => {
    expect(parseHoldingsCsv('TCS,1\nsymbol,quantity')).toMatchObject({ ok: false, line: 2 });
  });

  it('refuses an empty file and a file of more than 100 holdings', () => {
    expect(parseHoldingsCsv('symbol,quantity\n')).toMatchObject({ ok: false, line: 1 });
    const many = Array.from({ length: 101 }, (_, i) => `S${i},1`).join('\n');
    expect(parseHoldingsCsv(many)).toMatchObject({ ok: false, line: 101 });
  });
});
