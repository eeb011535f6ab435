/** `npm run soak` options: parsed and checked once; a bad one throws (the soak exits 2). */
import { parseArgs } from 'node:util';
import { DEFAULT_LIMITS, type Limits, type Plan, planWindows } from './verdict';

export const USAGE = `usage: npm run soak -- [--minutes 30] [--rate 20] [--concurrency 16] [--users 40] [--tabs 20]
  [--tick-rate 20] [--max-leak 0.10] [--max-drift 1.5]
  [--url http://127.0.0.1:3000 --admin-url http://127.0.0.1:<LOCAL_ADMIN_PORT> [--kinesis <url>] [--database-url <url>]]`;

export interface SoakOptions {
  plan: Plan;
  rate: number;
  concurrency: number;
  users: number;
  tabs: number;
  tickRate: number;
  limits: Limits;
  /** An already running `npm start` (with its admin endpoint), instead of the soak's own. */
  attach?: { url: string; adminUrl?: string; kinesis?: string; databaseUrl?: string };
  injectError: boolean;
}

export function parseSoakOptions(args: string[]): SoakOptions {
  const { values } = parseArgs({
    args,
    options: {
      minutes: { type: 'string', default: '30' },
      rate: { type: 'string', default: '20' },
      concurrency: { type: 'string', default: '16' },
      users: { type: 'string', default: '40' },
      tabs: { type: 'string', default: '20' },
      'tick-rate': { type: 'string', default: '20' },
      'max-leak': { type: 'string', default: String(DEFAULT_LIMITS.maxLeak) },
      'max-drift': { type: 'string', default: String(DEFAULT_LIMITS.maxDrift) },
      url: { type: 'string' },
      'admin-url': { type: 'string' },
      kinesis: { type: 'string' },
      'database-url': { type: 'string' },
      // Test hook: a malformed analyze every interval; proves that a failing request fails the run.
      'inject-error': { type: 'boolean', default: false },
    },
  });
  const num = (name: keyof typeof values, min: number, integer = false): number => {
    const v = Number(values[name]);
    if (!Number.isFinite(v) || v < min || (integer && !Number.isInteger(v)))
      throw new Error(`--${name} must be ${integer ? 'an integer' : 'a number'} ≥ ${min}`);
    return v;
  };
  return {
    plan: planWindows(num('minutes', 0.05)),
    rate: num('rate', 0.1),
    concurrency: num('concurrency', 1, true),
    users: num('users', 1, true),
    tabs: num('tabs', 0, true),
    tickRate: num('tick-rate', 1, true),
    limits: { maxLeak: num('max-leak', 0), maxDrift: num('max-drift', 1) },
    attach: values.url
      ? {
          url: values.url,
          adminUrl: values['admin-url'],
          kinesis: values.kinesis,
          databaseUrl: values['database-url'],
        }
      : undefined,
    injectError: values['inject-error'] ?? false,
  };
}
