/** `npm run soak` options: defaults, the --url form, and refusals (the soak exits 2 on them). */
import { describe, expect, it } from 'vitest';
import { parseSoakOptions } from '../../scripts/lib/soak/options';

describe('soak options', () => {
  it('defaults to a 30-minute soak of its own npm start at 20 requests/s', () => {
    const o = parseSoakOptions([]);
    expect(o.plan).toMatchObject({ minutes: 30, intervals: 30, scaled: false });
    expect(o).toMatchObject({
      rate: 20,
      concurrency: 16,
      users: 40,
      tabs: 20,
      tickRate: 20,
      injectError: false,
    });
    expect(o.limits).toEqual({ maxLeak: 0.1, maxDrift: 1.5 });
    expect(o.attach).toBeUndefined();
  });

  it('takes a running npm start with --url and its admin endpoint', () => {
    const o = parseSoakOptions(['--url', 'http://127.0.0.1:3000', '--admin-url', 'http://127.0.0.1:3099']);
    expect(o.attach).toEqual({ url: 'http://127.0.0.1:3000', adminUrl: 'http://127.0.0.1:3099' });
  });

  it('refuses numbers out of range and unknown options', () => {
    expect(() => parseSoakOptions(['--minutes', '0'])).toThrow(/--minutes must be a number/);
    expect(() => parseSoakOptions(['--users', '2.5'])).toThrow(/--users must be an integer/);
    expect(() => parseSoakOptions(['--rate', 'fast'])).toThrow(/--rate must be a number/);
    expect(() => parseSoakOptions(['--max-drift', '0.5'])).toThrow(/--max-drift must be a number ≥ 1/);
    expect(() => parseSoakOptions(['--duration', '5'])).toThrow(/Unknown option/);
  });
});
