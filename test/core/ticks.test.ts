/**
 * Ticks without a database: what a stream record must look like to be stored (SPEC §2), and
 * which tick wins when several touch the same symbol.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeTicks, parseTick, storableText, type Tick, tickVersion } from '../../functions/core/ticks';

const NOW = Date.parse('2026-11-28T10:00:00Z');
const FUTURE_MS = 60_000;

/** A Kinesis-like record of `data` (an object is JSON-encoded; a string is sent as is). */
function record(data: unknown, sequenceNumber = '49590338271490256608559692538361571095921575989136588898') {
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  return { data: Buffer.from(text).toString('base64'), sequenceNumber, arrivalMs: NOW - 5_000 };
}

const parse = (data: unknown, sequenceNumber?: string) =>
  parseTick(record(data, sequenceNumber), NOW, FUTURE_MS);

function reasonOf(data: unknown, sequenceNumber?: string): string {
  const result = parse(data, sequenceNumber);
  if (result.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result.tick)}`);
  return result.reason;
}

function tickOf(data: unknown, sequenceNumber?: string): Tick {
  const result = parse(data, sequenceNumber);
  if (!result.ok) throw new Error(`expected a tick, got: ${result.reason}`);
  return result.tick;
}

describe('parseTick', () => {
  it('accepts a full tick: symbol normalized, price exact to the paisa, ts with its offset', () => {
    const tick = tickOf(
      {
        symbol: ' tcs ',
        price: 4090.5,
        name: 'Tata Consultancy Services',
        sector: 'IT',
        change_1d_pct: -1.25,
        change_7d_pct: -6,
        volatility: 0.012,
        market_cap_cr: 1_480_000,
        ts: '2026-11-28T15:00:00+05:30',
      },
      '42',
    );
    expect(tick).toEqual({
      symbol: 'TCS',
      price: '4090.50',
      name: 'Tata Consultancy Services',
      sector: 'IT',
      change_1d_pct: -1.25,
      change_7d_pct: -6,
      volatility: 0.012,
      market_cap_cr: 1_480_000,
      tsMs: Date.parse('2026-11-28T09:30:00Z'),
      sequenceNumber: '42',
    });
  });

  it('a tick without ts (or with ts null) is stamped with its arrival time', () => {
    expect(tickOf({ symbol: 'INFY', price: 1500 }).tsMs).toBe(NOW - 5_000);
    expect(tickOf({ symbol: 'INFY', price: 1500, ts: null }).tsMs).toBe(NOW - 5_000);
  });

  it('optional fields given as null are left out, so the stored values stay', () => {
    const tick = tickOf({
      symbol: 'INFY',
      price: 1500,
      name: null,
      sector: null,
      change_1d_pct: null,
      change_7d_pct: null,
      volatility: null,
      market_cap_cr: null,
    });
    expect(Object.keys(tick).sort()).toEqual(['price', 'sequenceNumber', 'symbol', 'tsMs']);
  });

  it('keeps zero values of optional fields (0 is a value, not "absent")', () => {
    const tick = tickOf({
      symbol: 'FLAT',
      price: 10,
      change_1d_pct: 0,
      change_7d_pct: 0,
      volatility: 0,
      market_cap_cr: 0,
    });
    expect(tick).toMatchObject({ change_1d_pct: 0, change_7d_pct: 0, volatility: 0, market_cap_cr: 0 });
  });

  it('rounds the price half up to paise, and rejects a price that rounds to 0 paise', () => {
    expect(tickOf({ symbol: 'PENNY', price: 0.005 }).price).toBe('0.01');
    expect(tickOf({ symbol: 'PENNY', price: 0.014 }).price).toBe('0.01');
    // The table's CHECK (price > 0) would fail the whole batch on every retry: a poison pill.
    expect(reasonOf({ symbol: 'PENNY', price: 0.004 })).toBe(
      'price: must be at least 0.01 after rounding to paise',
    );
    expect(reasonOf({ symbol: 'PENNY', price: 1e-9 })).toBe(
      'price: must be at least 0.01 after rounding to paise',
    );
  });

  it('accepts prices up to 1 crore and no higher; never 0 or negative', () => {
    expect(tickOf({ symbol: 'MRF', price: 10_000_000 }).price).toBe('10000000.00');
    expect(reasonOf({ symbol: 'MRF', price: 10_000_000.01 })).toBe('price: must be at most 10000000');
    expect(reasonOf({ symbol: 'X', price: 0 })).toBe('price: must be greater than 0');
    expect(reasonOf({ symbol: 'X', price: -1 })).toBe('price: must be greater than 0');
    expect(reasonOf({ symbol: 'X', price: '100' })).toMatch(/^price: /);
  });

  it('rejects bytes that are not UTF-8 even inside a JSON string (no replacement characters stored)', () => {
    const bytes = Buffer.concat([
      Buffer.from('{"symbol": "TCS", "price": 1, "name": "Tata '),
      Buffer.from([0xff]),
      Buffer.from('"}'),
    ]);
    const result = parseTick(
      { data: bytes.toString('base64'), sequenceNumber: '1', arrivalMs: NOW },
      NOW,
      FUTURE_MS,
    );
    expect(result).toEqual({ ok: false, reason: 'data is not UTF-8 JSON' });
  });

  it('says why data that is not a JSON object is rejected', () => {
    const notUtf8 = {
      data: Buffer.from([0xff, 0xfe, 0x7b]).toString('base64'),
      sequenceNumber: '1',
      arrivalMs: NOW,
    };
    expect(parseTick(notUtf8, NOW, FUTURE_MS)).toEqual({ ok: false, reason: 'data is not UTF-8 JSON' });
    expect(reasonOf('{"symbol": "TCS",')).toBe('data is not UTF-8 JSON');
    for (const data of ['[1, 2]', 'null', '42', '"TCS"']) {
      expect(reasonOf(data), data).toBe('data is not a JSON object');
    }
  });

  it('lists every invalid field with its path, separated by semicolons', () => {
    expect(reasonOf({ symbol: 'bad symbol', price: 0 })).toBe(
      'symbol: must be 1-20 characters A-Z, 0-9, &, _ or -, starting with a letter or digit; price: must be greater than 0',
    );
  });

  it('rejects text over 200 characters or with control characters', () => {
    expect(tickOf({ symbol: 'A', price: 1, name: 'x'.repeat(200) }).name).toHaveLength(200);
    expect(reasonOf({ symbol: 'A', price: 1, name: 'x'.repeat(201) })).toBe(
      'name: must be at most 200 characters',
    );
    expect(reasonOf({ symbol: 'A', price: 1, sector: 'IT\nServices' })).toBe(
      'sector: must not contain control characters',
    );
    expect(reasonOf({ symbol: 'A', price: 1, sector: 'IT\u007f' })).toBe(
      'sector: must not contain control characters',
    );
  });

  it('keeps percentages, volatility and market cap within their ranges', () => {
    expect(
      tickOf({ symbol: 'A', price: 1, change_1d_pct: -100, change_7d_pct: 10_000, volatility: 10 }),
    ).toMatchObject({ change_1d_pct: -100, change_7d_pct: 10_000, volatility: 10 });
    expect(reasonOf({ symbol: 'A', price: 1, change_1d_pct: -100.01 })).toMatch(/^change_1d_pct: /);
    expect(reasonOf({ symbol: 'A', price: 1, change_7d_pct: 10_000.5 })).toMatch(/^change_7d_pct: /);
    expect(reasonOf({ symbol: 'A', price: 1, volatility: -0.1 })).toMatch(/^volatility: /);
    expect(reasonOf({ symbol: 'A', price: 1, volatility: 10.1 })).toMatch(/^volatility: /);
    expect(reasonOf({ symbol: 'A', price: 1, market_cap_cr: -1 })).toMatch(/^market_cap_cr: /);
  });

  it('needs a time zone in ts, refuses ts before 2000 and more than the allowed skew in the future', () => {
    expect(reasonOf({ symbol: 'A', price: 1, ts: '2026-11-28T10:00:00' })).toBe(
      'ts: must be an ISO-8601 date-time with a time zone',
    );
    expect(tickOf({ symbol: 'A', price: 1, ts: '2000-01-01T00:00:00Z' }).tsMs).toBe(Date.UTC(2000, 0, 1));
    expect(reasonOf({ symbol: 'A', price: 1, ts: '1999-12-31T23:59:59.999Z' })).toBe(
      'ts: must not be before 2000-01-01',
    );
    const limit = new Date(NOW + FUTURE_MS).toISOString();
    expect(tickOf({ symbol: 'A', price: 1, ts: limit }).tsMs).toBe(NOW + FUTURE_MS);
    const tooLate = new Date(NOW + FUTURE_MS + 1).toISOString();
    expect(reasonOf({ symbol: 'A', price: 1, ts: tooLate })).toBe(
      `ts: ${tooLate} is more than 60 s in the future`,
    );
  });

  it('needs a decimal sequence number of at most 129 digits', () => {
    expect(tickOf({ symbol: 'A', price: 1 }, '9'.repeat(129)).sequenceNumber).toHaveLength(129);
    for (const bad of ['', 'abc', '12a', '-1', '1.5', '9'.repeat(130)]) {
      expect(reasonOf({ symbol: 'A', price: 1 }, bad), bad).toBe('sequence number is not a decimal string');
    }
  });
});

describe('tickVersion', () => {
  const v = (tsMs: number, sequenceNumber: string) => tickVersion({ tsMs, sequenceNumber });

  it('is 15 digits of epoch ms, 3 digits of sequence length, then the sequence number', () => {
    // Stored as latest_prices.*_v and compared in SQL as text COLLATE "C": the format is a contract.
    expect(v(1_764_324_000_000, '42')).toBe('001764324000000' + '002' + '42');
  });

  it('orders a longer sequence number after a shorter one at the same time', () => {
    expect(v(NOW, '9') < v(NOW, '10')).toBe(true);
    expect(v(NOW, '99') < v(NOW, '100')).toBe(true);
    expect(v(NOW, '10') < v(NOW, '9')).toBe(false);
  });

  it('ignores leading zeros: 007 and 7 are the same version, and 0 stays 0', () => {
    expect(v(NOW, '007')).toBe(v(NOW, '7'));
    expect(v(NOW, '000')).toBe(v(NOW, '0'));
    expect(v(NOW, '0')).toBe(`00${NOW}0010`);
    expect(v(NOW, '010') < v(NOW, '9')).toBe(false);
  });

  it('a later event time wins over any sequence number, however long', () => {
    expect(v(NOW, '9'.repeat(129)) < v(NOW + 1, '1')).toBe(true);
    // Times of different digit counts (2001-09-09 crosses 10^12 ms) still compare by time.
    expect(v(999_999_999_999, '5') < v(1_000_000_000_000, '1')).toBe(true);
  });

  it('orders exactly as (time, numeric sequence number) for any pair (property)', () => {
    const arb = fc.record({
      tsMs: fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) }),
      seq: fc.bigInt({ min: 0n, max: 10n ** 60n }),
      zeros: fc.nat(3),
    });
    fc.assert(
      fc.property(arb, arb, (a, b) => {
        const va = v(a.tsMs, '0'.repeat(a.zeros) + a.seq);
        const vb = v(b.tsMs, '0'.repeat(b.zeros) + b.seq);
        const expected =
          a.tsMs !== b.tsMs ? Math.sign(a.tsMs - b.tsMs) : a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0;
        return (va < vb ? -1 : va > vb ? 1 : 0) === expected;
      }),
    );
  });
});

describe('mergeTicks', () => {
  const tick = (
    symbol: string,
    price: string,
    tsMs: number,
    sequenceNumber: string,
    extra: Partial<Tick> = {},
  ): Tick => ({
    symbol,
    price,
    tsMs,
    sequenceNumber,
    ...extra,
  });

  it('one row per symbol, in symbol order, each with the newest price and where it came from', () => {
    const merged = mergeTicks([
      tick('TCS', '4000.00', NOW, '5'),
      tick('INFY', '1500.00', NOW, '6'),
      tick('TCS', '4010.00', NOW + 1, '1'),
      tick('TCS', '3990.00', NOW - 1, '9'),
    ]);
    expect(merged.map((m) => m.symbol)).toEqual(['INFY', 'TCS']);
    expect(merged[1]?.price).toEqual({
      value: '4010.00',
      version: tickVersion({ tsMs: NOW + 1, sequenceNumber: '1' }),
      tsMs: NOW + 1,
      sequenceNumber: '1',
    });
  });

  it('returns the rows in symbol order whatever the order of the ticks', () => {
    const symbols = ['TCS', 'INFY', 'ZEEL', 'ABB', 'HDFCBANK', 'M&M'];
    const merged = mergeTicks(symbols.map((s, i) => tick(s, '1.00', NOW, String(i + 1))));
    expect(merged.map((m) => m.symbol)).toEqual(['ABB', 'HDFCBANK', 'INFY', 'M&M', 'TCS', 'ZEEL']);
  });

  it('at the same time, the higher sequence number wins even when it is longer', () => {
    const merged = mergeTicks([tick('TCS', '2.00', NOW, '10'), tick('TCS', '1.00', NOW, '9')]);
    expect(merged[0]?.price.value).toBe('2.00');
    const reversed = mergeTicks([tick('TCS', '1.00', NOW, '9'), tick('TCS', '2.00', NOW, '10')]);
    expect(reversed[0]?.price.value).toBe('2.00');
  });

  it('a newer tick without a field keeps the older value of that field, with its version', () => {
    const merged = mergeTicks([
      tick('TCS', '4000.00', NOW, '1', { sector: 'IT', volatility: 0.02 }),
      tick('TCS', '4010.00', NOW + 1, '2', { volatility: 0.03 }),
      tick('TCS', '3990.00', NOW - 1, '3', { sector: 'Old', name: 'Tata' }),
    ]);
    expect(merged).toHaveLength(1);
    expect(merged[0]?.price.value).toBe('4010.00');
    expect(merged[0]?.fields).toEqual({
      sector: { value: 'IT', version: tickVersion({ tsMs: NOW, sequenceNumber: '1' }) },
      volatility: { value: 0.03, version: tickVersion({ tsMs: NOW + 1, sequenceNumber: '2' }) },
      name: { value: 'Tata', version: tickVersion({ tsMs: NOW - 1, sequenceNumber: '3' }) },
    });
  });

  it('gives the same rows for any order of the same ticks (property)', () => {
    const arbTick = fc.record({
      symbol: fc.constantFrom('A', 'B', 'C'),
      price: fc.integer({ min: 1, max: 99_999 }).map((p) => `${p}.00`),
      tsMs: fc.integer({ min: NOW, max: NOW + 3 }),
      seq: fc.integer({ min: 1, max: 120 }),
      sector: fc.option(fc.constantFrom('IT', 'Banks'), { nil: undefined }),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(arbTick, {
          minLength: 1,
          maxLength: 12,
          selector: (t) => `${t.symbol}|${t.tsMs}|${t.seq}`,
        }),
        fc.context(),
        (raw, ctx) => {
          const ticks = raw.map((t) =>
            tick(t.symbol, t.price, t.tsMs, String(t.seq), t.sector ? { sector: t.sector } : {}),
          );
          const reversed = mergeTicks([...ticks].reverse());
          ctx.log(JSON.stringify(ticks));
          expect(mergeTicks(ticks)).toEqual(reversed);
        },
      ),
    );
  });
});

describe('text the database could not store', () => {
  it('refuses a name or sector with a lone surrogate, and keeps well-formed text and volume', () => {
    const base = { symbol: 'TCS', price: 1 };
    expect(reasonOf({ ...base, name: 'Tata \ud800' })).toBe(
      'name: must be well-formed Unicode (no lone surrogate)',
    );
    expect(reasonOf({ ...base, sector: '\udc00IT' })).toBe(
      'sector: must be well-formed Unicode (no lone surrogate)',
    );
    expect(tickOf({ ...base, name: 'Tata 😀', sector: null, volume: 1200 })).toMatchObject({
      name: 'Tata 😀',
      volume: 1200,
    });
    expect(tickOf({ ...base, volume: null })).not.toHaveProperty('volume');
  });

  it('storableText replaces NUL and lone surrogates with U+FFFD and keeps pairs', () => {
    expect(storableText('a\u0000b\u0000')).toBe('a\ufffdb\ufffd');
    expect(storableText('x\ud800y')).toBe('x\ufffdy');
    expect(storableText('x\udc00y\ud800')).toBe('x\ufffdy\ufffd');
    expect(storableText('shard-😀-1')).toBe('shard-😀-1');
    expect(storableText('\ud83d\ude00\ude00')).toBe('😀\ufffd');
  });
});
