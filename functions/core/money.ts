/**
 * Exact money. Amounts are integer paise held in `bigint`; conversion from and to decimal
 * text is done on digits, never through binary floating point arithmetic.
 */

export type Paise = bigint;

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/**
 * Parse a decimal (a string, or a JS number via its shortest round-trip text) into paise,
 * rounding half away from zero at the third decimal. Throws on anything that is not a plain
 * finite decimal (exponent notation, NaN, Infinity).
 */
export function toPaise(value: number | string): Paise {
  // Fast path for the common case, a JS number with at most two decimals: its shortest text is
  // exact, so whole rupees and paise are read off it (still no floating-point arithmetic).
  // Stryker disable all: speed only. Skipping this path, or taking it for other inputs that match,
  // gives the same paise through the general path below: these mutants are equivalent.
  if (typeof value === 'number') {
    const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(String(value));
    if (m?.[1]) return BigInt(m[1]) * 100n + BigInt((m[2] ?? '').padEnd(2, '0'));
  }
  // Stryker restore all
  const text = typeof value === 'number' ? numberText(value) : value.trim();
  const match = DECIMAL.exec(text);
  if (!match?.[2]) throw new RangeError(`Not a decimal amount: ${text}`);
  const [, sign, whole, fraction = ''] = match;
  const digits = `${fraction}000`;
  let paise = BigInt(whole) * 100n + BigInt(digits.slice(0, 2));
  if (Number(digits[2]) >= 5) paise += 1n;
  return sign ? -paise : paise;
}

function numberText(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`Not a finite amount: ${value}`);
  const text = String(value);
  // Tiny values print in exponent form (1e-7); they round to zero paise.
  if (/e-/.test(text)) return '0';
  if (/e\+/.test(text)) return BigInt(Math.round(value)).toString();
  return text;
}

/** Paise as a decimal string with exactly two decimals: 409000n → "4090.00". */
export function formatPaise(paise: Paise): string {
  const negative = paise < 0n;
  const abs = negative ? -paise : paise;
  const whole = abs / 100n;
  const cents = (abs % 100n).toString().padStart(2, '0');
  return `${negative ? '-' : ''}${whole}.${cents}`;
}

/**
 * The largest amount a JSON number of rupees carries exactly: 9,999,999,999,999.99 INR.
 * A decimal of at most 15 significant digits survives the round trip through a binary64
 * double (what every JSON parser of JavaScript makes of a number) and prints back as the
 * same digits; 17 digits do not (14422384985577615 paise came out as 144223849855776.16).
 * Every amount the API sends is held to this bound (docs/api.md, "Money").
 */
export const MAX_JSON_PAISE: Paise = 10n ** 15n - 1n;

/**
 * Paise as a JSON number of rupees (at most two decimals), exact up to MAX_JSON_PAISE.
 * Beyond it this throws: callers refuse such amounts before they get here.
 */
export function paiseToRupees(paise: Paise): number {
  if (paise > MAX_JSON_PAISE || paise < -MAX_JSON_PAISE) {
    throw new RangeError(`${formatPaise(paise)} INR is beyond what a JSON number carries exactly`);
  }
  return Number(formatPaise(paise));
}

/** Multiply paise by an integer quantity, exactly. */
export function times(paise: Paise, quantity: number | bigint): Paise {
  return paise * BigInt(quantity);
}

/** Sum paise exactly. */
export function sum(values: Iterable<Paise>): Paise {
  let total = 0n;
  for (const v of values) total += v;
  return total;
}
