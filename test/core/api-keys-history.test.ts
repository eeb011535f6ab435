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
