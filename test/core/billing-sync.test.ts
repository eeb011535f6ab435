/**
 * The billing sync's decisions without a database or a network: the event Flexprice receives,
 * which failures are retried, what may be stored of an error, and when the next attempt is due.
 */
import { describe, expect, it } from 'vitest';
import {
  afterFailure,
  backoffMs,
  classifyFailure,
  type OutboxRow,
  scrub,
  toBillingEvent,
} from '../../functions/core/billing-sync';

const KEY = 'fp_live_0123456789abcdef';
const URL = 'https://api.cloud.flexprice.io/v1';

/** An error shaped like the SDK's (`name`, `statusCode`, `message`). */
const sdkError = (name: string, message: string, statusCode?: number) =>
  Object.assign(new Error(message), { name, ...(statusCode === undefined ? {} : { statusCode }) });

describe('toBillingEvent', () => {
  it('sends the feature as event name, the user as customer, string properties and the stored time', () => {
    const row: OutboxRow = {
      eventId: 'a1b2:advice_generation',
      feature: 'advice_generation',
      userSub: 'alice',
      quantity: 3,
      unitPricePaise: '200',
      occurredAt: new Date('2026-11-28T04:00:00.123Z'),
      attempts: 2,
      customerKnown: true,
    };
    expect(toBillingEvent(row)).toEqual({
      eventId: 'a1b2:advice_generation',
      eventName: 'advice_generation',
      externalCustomerId: 'alice',
      properties: { quantity: '3', unit_price_paise: '200' },
      timestamp: '2026-11-28T04:00:00.123Z',
      source: 'stock-consultant',
    });
  });
});

describe('scrub', () => {
  it('replaces every occurrence of the key and the URL', () => {
    const message = `401 for ${URL}/events/bulk with key ${KEY}; retry with ${KEY}`;
    expect(scrub(message, [URL, KEY])).toBe(
      '401 for [redacted]/events/bulk with key [redacted]; retry with [redacted]',
    );
  });

  it('leaves a message without secrets as it is, on one line', () => {
    expect(scrub('  upstream\n  timed out\t', [KEY])).toBe('upstream timed out');
  });

  it('ignores empty or very short "secrets" (an unset key must not redact every letter)', () => {
    expect(scrub('abc error', ['', 'abc'])).toBe('abc error');
    expect(scrub('abcd error', ['abcd'])).toBe('[redacted] error');
  });

  it('keeps at most 300 characters, after redaction (a secret cut in half cannot leak)', () => {
    const long = `${'x'.repeat(290)}${KEY}${'y'.repeat(100)}`;
    const out = scrub(long, [KEY]);
    expect(out).toHaveLength(300);
    expect(out).toBe(`${'x'.repeat(290)}[redacted]`);
  });
});

describe('classifyFailure', () => {
  it.each([429, 500, 502, 503, 504])('retries HTTP %i', (status) => {
    expect(classifyFailure(sdkError('SDKError', 'busy', status))).toEqual({
      retryable: true,
      reason: `HTTP ${status} (SDKError): busy`,
    });
  });

  it.each([400, 401, 403, 404, 409, 422, 499])(
    'does not retry HTTP %i: it would fail the same way',
    (status) => {
      expect(classifyFailure(sdkError('ErrorsErrorsErrorResponse', 'rejected', status))).toEqual({
        retryable: false,
        reason: `HTTP ${status} (ErrorsErrorsErrorResponse): rejected`,
      });
    },
  );

  it.each(['ConnectionError', 'RequestTimeoutError', 'RequestAbortedError', 'UnexpectedClientError'])(
    'retries the transport failure %s',
    (name) => {
      expect(classifyFailure(sdkError(name, 'socket hang up'))).toEqual({
        retryable: true,
        reason: `${name}: socket hang up`,
      });
    },
  );

  it('retries what it does not recognise rather than lose a charge', () => {
    expect(classifyFailure(new TypeError('fetch failed'))).toEqual({
      retryable: true,
      reason: 'TypeError: fetch failed',
    });
    expect(classifyFailure('a thrown string')).toEqual({ retryable: true, reason: 'Error: a thrown string' });
    expect(classifyFailure(null)).toEqual({ retryable: true, reason: 'Error: null' });
    expect(classifyFailure({ statusCode: '500', message: 'text status' })).toEqual({
      retryable: true,
      reason: 'Error: text status',
    });
  });

  it('never keeps the key or the URL in the reason', () => {
    const error = sdkError('SDKError', `Unauthorized: key ${KEY} rejected by ${URL}/events/bulk`, 401);
    const failure = classifyFailure(error, [URL, KEY]);
    expect(failure.reason).toBe(
      'HTTP 401 (SDKError): Unauthorized: key [redacted] rejected by [redacted]/events/bulk',
    );
    const transport = classifyFailure(sdkError('ConnectionError', `connect ECONNREFUSED ${URL}`), [URL, KEY]);
    expect(transport.reason).toBe('ConnectionError: connect ECONNREFUSED [redacted]');
    const unknown = classifyFailure(new Error(`bad ${KEY}`), [URL, KEY]);
    expect(unknown.reason).toBe('Error: bad [redacted]');
  });
});

describe('backoffMs', () => {
  const policy = { backoffBaseMs: 1_000, backoffMaxMs: 60_000 };

  it('doubles per attempt from the base, half fixed and half random', () => {
    expect([1, 2, 3, 4].map((n) => backoffMs(n, policy, () => 0))).toEqual([500, 1_000, 2_000, 4_000]);
    expect([1, 2, 3, 4].map((n) => backoffMs(n, policy, () => 0.999_999))).toEqual([
      1_000, 2_000, 4_000, 8_000,
    ]);
    expect(backoffMs(3, policy, () => 0.5)).toBe(3_000);
  });

  it('never waits longer than the maximum, and never less than half of it once capped', () => {
    expect(backoffMs(30, policy, () => 0)).toBe(30_000);
    expect(backoffMs(30, policy, () => 0.999_999)).toBe(60_000);
  });

  it('treats attempt 0 like the first attempt', () => {
    expect(backoffMs(0, policy, () => 0)).toBe(500);
  });

  it('uses Math.random by default, within the bounds', () => {
    for (let i = 0; i < 20; i++) {
      const ms = backoffMs(2, policy);
      expect(ms).toBeGreaterThanOrEqual(1_000);
      expect(ms).toBeLessThanOrEqual(2_000);
    }
  });
});

describe('afterFailure', () => {
  const retryable = { retryable: true, reason: 'HTTP 503' };
  const permanent = { retryable: false, reason: 'HTTP 400' };

  it('retries a transient failure until the last allowed attempt, then dead-letters', () => {
    expect(afterFailure({ attempts: 1 }, retryable, 3)).toBe('retry');
    expect(afterFailure({ attempts: 2 }, retryable, 3)).toBe('retry');
    expect(afterFailure({ attempts: 3 }, retryable, 3)).toBe('dead');
  });

  it('dead-letters a permanent failure at once', () => {
    expect(afterFailure({ attempts: 1 }, permanent, 3)).toBe('dead');
  });
});
