/** Time-ordered analysis ids (RFC 9562 version 7): valid UUIDs that sort by creation time. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../../functions/core/uuid7';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const bytes = fc.uint8Array({ minLength: 10, maxLength: 10 });

describe('uuidv7', () => {
  it('is a version 7, RFC variant UUID whose first 48 bits are the time', () => {
    const id = uuidv7(Date.UTC(2026, 11, 6, 8, 0, 0, 123), new Uint8Array(10).fill(0xff));
    expect(id).toMatch(UUID);
    expect(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(Date.UTC(2026, 11, 6, 8, 0, 0, 123));
  });

  it('sorts as text in the order of its times, whatever the random bits', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 48 - 2 }),
        fc.integer({ min: 1, max: 1e9 }),
        bytes,
        bytes,
        (t, dt, a, b) => {
          const earlier = uuidv7(t, a);
          const later = uuidv7(Math.min(t + dt, 2 ** 48 - 1), b);
          expect(earlier).toMatch(UUID);
          expect(earlier < later).toBe(true);
        },
      ),
    );
  });

  it('differs for the same millisecond with different random bytes', () => {
    const t = Date.UTC(2026, 0, 1);
    expect(uuidv7(t, new Uint8Array(10))).not.toBe(uuidv7(t, new Uint8Array(10).fill(1)));
  });

  it('refuses a time outside 48 bits and too few random bytes', () => {
    expect(() => uuidv7(-1, new Uint8Array(10))).toThrow(/whole milliseconds within 48 bits/);
    expect(() => uuidv7(2 ** 48, new Uint8Array(10))).toThrow(/whole milliseconds within 48 bits/);
    expect(() => uuidv7(1.5, new Uint8Array(10))).toThrow(/whole milliseconds within 48 bits/);
    expect(() => uuidv7(0, new Uint8Array(9))).toThrow(/10 random bytes/);
    // The edges themselves are valid.
    expect(uuidv7(0, new Uint8Array(10))).toBe('00000000-0000-7000-8000-000000000000');
    expect(uuidv7(2 ** 48 - 1, new Uint8Array(10).fill(0xff))).toBe('ffffffff-ffff-7fff-bfff-ffffffffffff');
  });
});
