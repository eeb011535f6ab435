/**
 * `npm run soak` end to end, short: each run starts its own `npm start` (the default), loads it
 * for ~20 s, prints ten scaled intervals and a summary, runs the ledger check and exits 0 on a
 * pass; a run with an injected failing request must exit 1 and say why. The drift limit is loose
 * here: a window of a 20-s run holds a few dozen requests on a shared machine, so its p99 is
 * about its maximum; the drift, leak and error rules themselves are pinned in verdict.test.ts.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../local/stack';

async function soak(args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      join(ROOT, 'node_modules/.bin/tsx'),
      [join(ROOT, 'scripts/soak.ts'), ...args],
      { cwd: ROOT, timeout: 200_000, env: { ...process.env, DATABASE_URL: '' } },
    );
    return { code: 0, output: `${stdout}${stderr}` };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('npm run soak', () => {
  it('runs a 20-second soak against its own npm start, reports every interval and passes', async () => {
    const { code, output } = await soak([
      '--minutes',
      '0.34',
      '--rate',
      '10',
      '--users',
      '6',
      '--max-drift',
      '20',
    ]);

    expect(output).toMatch(/windows are scaled: 10 intervals of 2\.0 s/);
    for (let i = 1; i <= 10; i++) expect(output).toContain(`[interval ${i}/10]`);
    // Each interval names the API's memory, the database, the outbox and the consumer lag.
    expect(output).toMatch(
      /API RSS \d+\.\d MiB, heap after GC \d+\.\d MiB \| db \d+\.\d MiB, outbox \d+ pending/,
    );
    expect(output).toMatch(/consumer lag \d+\.\d s/);
    // The billing sync inside npm start delivered the analyses' usage to the Flexprice stand-in.
    expect(output).toMatch(/ [1-9]\d* events at Flexprice/);
    expect(output).toMatch(/POST \/api\/analyze +n= +\d+ +p50 +\d+ ms +p99 +\d+ ms/);
    expect(output).toMatch(/POST \/api\/analyze \(replay\)/);
    expect(output).toContain('ledger check: ledger consistent');
    expect(output).toMatch(/answered, 0 failed/);
    expect(output).toContain('soak: PASS');
    expect(output).not.toContain('soak: FAIL');
    expect(code).toBe(0);
  }, 240_000);

  it('fails the run, with the reason, when a request fails', async () => {
    const { code, output } = await soak([
      '--minutes',
      '0.2',
      '--rate',
      '5',
      '--users',
      '2',
      '--inject-error',
    ]);

    expect(output).toMatch(/error: POST \/api\/analyze \(injected error\): status 400/);
    expect(output).toMatch(/soak: FAIL\n {2}- \d+ request\(s\) failed/);
    expect(code).toBe(1);
  }, 240_000);

  it('refuses to load anything but this machine', async () => {
    const { code, output } = await soak([
      '--url',
      'http://192.0.2.1:3000',
      '--admin-url',
      'http://127.0.0.1:1',
    ]);
    expect(output).toMatch(/baseUrl must be on 127\.0\.0\.1/);
    expect(code).toBe(2);
  });
});
