/**
 * `npm run dr-drill -- --quick`: the whole disaster-recovery cycle (docs/operations.md) in a
 * child process, as an operator runs it — two PostgreSQL servers, a point-in-time restore,
 * adoption, the journal — and the figures it prints.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '../..');

describe('npm run dr-drill', () => {
  it('restores to T, adopts what Flexprice holds, keeps what the journal holds, and prints its figures', async () => {
    const { stdout } = await run(join(ROOT, 'node_modules/.bin/tsx'), ['scripts/dr-drill.ts', '--quick'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: '', JOURNAL_FILE: '' },
      timeout: 120_000,
    });
    expect(stdout).toMatch(/^RPO achieved: \d+\.\d s/m);
    expect(stdout).toMatch(/^RTO achieved: \d+\.\d s/m);
    expect(stdout).toMatch(/^analyses lost after T: 3 of 3 /m);
    expect(stdout).toMatch(/^events adopted: 6$/m);
    expect(stdout).toMatch(/^check-ledger: consistent$/m);
    expect(stdout).not.toMatch(/FAIL/);
    expect(stdout).toMatch(/drill PASSED/);
  }, 150_000);
});
