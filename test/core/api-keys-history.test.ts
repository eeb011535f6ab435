import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashKey, isWellFormedKey, looksLikeKey, newKey } from '../../functions/core/api-keys';
import { decodeCursor, encodeCursor, parseLimit } from '../../functions/core/history';

describe('API key format (pure)', () => {
  it('is sck_ + base64url of the 32 random bytes, its prefix the next 8 characters, stored as SHA-256', () => {
    const random = Uint8Array.from({ length: 32 }, (_, i) => i * 7);
    const k = newKey(random);
    expect(k.key).toBe(`sck_${Buffer.from(random).toString('base64url')}`);
    expect(k.key).toHaveLength(47);
    expect(k.prefix).toBe(k.key.slice(4, 12));
    expect(k.hash).toBe(createHash('sha256').update(k.key).digest('hex'));
    expect(hashKey(k.key)).toBe(k.hash);
    expect(isWellFormedKey(k.key)).toBe(true);
    expect(() => newKey(new Uint8Array(16))).toThrow(RangeError);
  });

  it('tells keys from access tokens by their prefix only', () => {
    expect(looksLikeKey('sck_x')).toBe(true);
    expect(looksLikeKey('eyJhbGciOi.x.y')).toBe(false);
    expect(isWellFormedKey('sck_short')).toBe(false);
    expect(isWellFormedKey(`sck_${'A'.repeat(42)}+`)).toBe(false);
  });
});

describe('history cursor and limit (pure)', () => {
  it('round-trips a cursor and refuses anything else', () => {
    const c = { t: '2026-11-28T10:00:00.123456Z', i: '0b6f2c1e-0000-4000-8000-000000000001' };
    expect(decodeCursor(encodeCursor(c))).toEqual(c);
    expect(decodeCursor('')).toBeNull();
    expect(decodeCursor('%%%')).toBeNull();
    expect(
      decodeCursor(Buffer.from('{"t":"2026-13-45T99:00:00.000000Z","i":"x"}').toString('base64url')),
    ).toBeNull();
    expect(decodeCursor(Buffer.from('null').toString('base64url'))).toBeNull();
  });

  it('takes limits 1-100, 20 when absent', () => {
    expect(parseLimit(undefined)).toBe(20);
    expect(parseLimit('1')).toBe(1);
    expect(parseLimit('100')).toBe(100);
    for (const bad of ['0', '101', '1e2', ' 5', '-3', '']) expect(parseLimit(bad)).toBeNull();
  });
});

describe('history cursor: what a tampered cursor gets', () => {
  const id = '0b6f2c1e-0000-4000-8000-000000000001';
  const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

  it('accepts only the exact shape we issue: {t, i} strings, nothing more', () => {
    const t = '2026-11-28T10:00:00.123456Z';
    expect(decodeCursor(cursorOf({ t, i: id }))).toEqual({ t, i: id });
    expect(decodeCursor(cursorOf({ t, i: id, admin: true }))).toBeNull();
    expect(decodeCursor(cursorOf([t, id]))).toBeNull();
    expect(decodeCursor(cursorOf({ t: 1, i: id }))).toBeNull();
    expect(decodeCursor(cursorOf({ t, i: 1 }))).toBeNull();
    expect(decodeCursor(cursorOf({ t }))).toBeNull();
    expect(decodeCursor(cursorOf('text'))).toBeNull();
    expect(decodeCursor(Buffer.from('{"t":').toString('base64url'))).toBeNull();
  });

  it('refuses text that is not base64url or is too long, before decoding it', () => {
    const good = cursorOf({ t: '2026-11-28T10:00:00.123456Z', i: id });
    expect(decodeCursor(`${good}=`)).toBeNull();
    expect(decodeCursor(`=${good}`)).toBeNull();
    expect(decodeCursor(`${good}+`)).toBeNull();
    // JSON allows spaces, so the same {t, i} can be padded: up to 200 characters it is read,
    // beyond that it is not a cursor we issue.
    const spaced = (n: number) =>
      Buffer.from(`{"t":"2026-11-28T10:00:00.123456Z",${' '.repeat(n)}"i":"${id}"}`).toString('base64url');
    expect(spaced(72)).toHaveLength(200);
    expect(decodeCursor(spaced(72))).not.toBeNull();
    expect(spaced(75).length).toBeGreaterThan(200);
    expect(decodeCursor(spaced(75))).toBeNull();
  });

  it('takes times to the microsecond in UTC, anchored at both ends', () => {
    const at = (t: string) => decodeCursor(cursorOf({ t, i: id }));
    expect(at('2026-11-28T10:00:00.123456Z')).not.toBeNull();
    expect(at('2026-11-28T10:00:00.123Z')).toBeNull();
    expect(at('2026-11-28T10:00:00.123456')).toBeNull();
    expect(at('x2026-11-28T10:00:00.123456Z')).toBeNull();
    expect(at('2026-11-28T10:00:00.123456Zx')).toBeNull();
    expect(at('2026-11-28T10:00:00.123456+05:30')).toBeNull();
  });

  it('refuses instants PostgreSQL would refuse: 30 February, 24:00, year 0000', () => {
    const at = (t: string) => decodeCursor(cursorOf({ t, i: id }));
    expect(at('2026-02-30T10:00:00.000000Z')).toBeNull();
    expect(at('2026-11-28T24:00:00.000000Z')).toBeNull();
    expect(at('0000-01-01T00:00:00.000000Z')).toBeNull();
    expect(at('0001-01-01T00:00:00.000000Z')).toEqual({ t: '0001-01-01T00:00:00.000000Z', i: id });
    expect(at('2024-02-29T23:59:59.999999Z')).not.toBeNull();
  });

  it('takes only lower-case uuids, anchored at both ends', () => {
    const t = '2026-11-28T10:00:00.123456Z';
    const withId = (i: string) => decodeCursor(cursorOf({ t, i }));
    expect(withId(id.toUpperCase())).toBeNull();
    expect(withId(`x${id}`)).toBeNull();
    expect(withId(`${id}x`)).toBeNull();
    expect(withId(id.replaceAll('-', ''))).toBeNull();
  });
});

describe('history limit: anchored digits', () => {
  it('refuses a number with text around it or more than three digits', () => {
    for (const bad of ['5x', 'x5', '0005', '1000', '5 ']) expect(parseLimit(bad)).toBeNull();
    expect(parseLimit('099')).toBe(99);
    expect(parseLimit('50')).toBe(50);
  });
});
