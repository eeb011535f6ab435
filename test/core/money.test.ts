/**
 * Exact money: prices and charges are integer paise; text and JSON numbers convert to and from
 * paise on their digits, so 0.1 + 0.2 is 0.30 and a half paisa rounds the same way every time.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatPaise, paiseToRupees, sum, times, toPaise } from '../../functions/core/money';

describe('toPaise', () => {
  it.each([
    ['4090', 409_000n],
    ['4090.5', 409_050n],
    ['4090.45', 409_045n],
    ['0.01', 1n],
    [' 12.30 ', 1_230n],
    ['007.10', 710n],
    ['-2.50', -250n],
    ['0', 0n],
  ])('reads the decimal text %j as %s paise', (text, paise) => {
    expect(toPaise(text)).toBe(paise);
  });

  it.each([
    ['1.005', 101n],
    ['1.0049', 100n],
    ['0.004', 0n],
    ['0.005', 1n],
    ['2.675', 268n],
    ['-1.005', -101n],
    ['-1.004', -100n],
    ['9.999', 1_000n],
  ])('rounds %j half away from zero at the third decimal: %s paise', (text, paise) => {
    expect(toPaise(text)).toBe(paise);
  });

  it.each([
    [4090.45, 409_045n],
    [0.1, 10n],
    [0.29, 29n],
    [2.675, 268n], // its shortest text is "2.675", although the binary value is 2.67499…
    [1.005, 101n],
    [0.1 + 0.2, 30n], // 0.30000000000000004
    [-0.5, -50n],
    [12, 1_200n],
    [1e-7, 0n],
    [1e21, 10n ** 23n],
    [1_234_567_890_123_456, 123_456_789_012_345_600n],
  ])('reads the JSON number %s as %s paise, from its digits', (value, paise) => {
    expect(toPaise(value)).toBe(paise);
  });

  it('refuses what is not a plain finite decimal, naming it', () => {
    for (const bad of ['1e5', 'abc', '', '.5', '1.', '1,50', '₹5', '+5', '5 5']) {
      expect(() => toPaise(bad), bad).toThrow(new RangeError(`Not a decimal amount: ${bad.trim()}`));
    }
    expect(() => toPaise(Number.NaN)).toThrow(new RangeError('Not a finite amount: NaN'));
    expect(() => toPaise(Number.POSITIVE_INFINITY)).toThrow(new RangeError('Not a finite amount: Infinity'));
  });

  it('agrees with the decimal text for any amount with at most two decimals (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 15n }), (paise) => {
        const text = formatPaise(paise);
        expect(toPaise(text)).toBe(paise);
        expect(toPaise(Number(text))).toBe(paise);
      }),
    );
  });
});

describe('formatPaise and paiseToRupees', () => {
  it.each([
    [409_000n, '4090.00'],
    [409_045n, '4090.45'],
    [5n, '0.05'],
    [50n, '0.50'],
    [0n, '0.00'],
    [-5n, '-0.05'],
    [-123_456n, '-1234.56'],
    [10n ** 20n, '1000000000000000000.00'],
  ])('%s paise is %j', (paise, text) => {
    expect(formatPaise(paise)).toBe(text);
  });

  it('gives rupees as a JSON number with at most two decimals', () => {
    expect(paiseToRupees(409_045n)).toBe(4090.45);
    expect(paiseToRupees(30n)).toBe(0.3);
    expect(paiseToRupees(-1n)).toBe(-0.01);
    expect(JSON.stringify({ total: paiseToRupees(10n + 20n) })).toBe('{"total":0.3}');
  });
});

describe('times and sum', () => {
  it('multiply and add exactly, beyond the range of exact doubles', () => {
    expect(times(409_045n, 3)).toBe(1_227_135n);
    expect(times(409_045n, 1_000_000_000n)).toBe(409_045_000_000_000n);
    expect(sum([10n, 20n])).toBe(30n);
    expect(sum([])).toBe(0n);
    expect(sum([2n ** 60n, 1n, -1n, 2n ** 60n])).toBe(2n ** 61n);
  });
});
