/** `npm run import-legacy`: the prototype's totals land once in the legacy account, or not at all. */
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handler as usageHandler } from '../../functions/usage';
import { checkLedger } from '../../scripts/lib/ledger-invariants';
import {
  importLegacyUsage,
  LEGACY_SUB,
  LegacyImportError,
  parseLegacyUsage,
} from '../../scripts/lib/legacy-import';
import { useTestDatabase } from '../helpers/db';
import { apiEvent, lambdaContext } from '../helpers/events';
import { token } from '../helpers/tokens';

const db = useTestDatabase();
const run = promisify(execFile);
let dir: string;

async function cli(content: string) {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, content);
  try {
    const out = await run('npx', ['tsx', 'scripts/import-legacy.ts', file], {
      env: { ...process.env, DATABASE_URL: db.current.url },
    });
    return { code: 0, stdout: out.stdout, stderr: out.stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function ledger() {
  return db.current.sql<{ feature: string; quantity: number; unit_price_paise: string; user_sub: string }[]>`
    SELECT feature, quantity, unit_price_paise::text, user_sub FROM usage_events ORDER BY feature`;
}

async function usageOf(sub: string) {
  const res = await usageHandler(apiEvent({ path: '/api/usage', token: await token(sub) }), lambdaContext());
  expect(res.statusCode).toBe(200);
  return JSON.parse(res.body ?? '{}') as Record<string, unknown>;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'legacy-import-'));
});

// Each test starts with no account and no usage.
beforeEach(async () => {
  await db.current.sql`TRUNCATE billing_outbox, usage_events, usage_daily, analyses, users CASCADE`;
});

/** Starting `npx tsx` takes long on a busy machine: the CLI tests get more than the default 30 s. */
const CLI_TIMEOUT = 120_000;

describe('legacy import', () => {
  it.each([
    ['not JSON', '{"portfolios_analyzed_total": 1,', /not valid JSON/],
    [
      'a negative count',
      '{"portfolios_analyzed_total": -1, "advice_generated_total": 2}',
      /must not be negative/,
    ],
    ['a fraction', '{"portfolios_analyzed_total": 1.5, "advice_generated_total": 2}', /whole number/],
    ['a missing field', '{"portfolios_analyzed_total": 1}', /advice_generated_total/],
    [
      'an extra field',
      '{"portfolios_analyzed_total": 1, "advice_generated_total": 2, "x": 1}',
      /unexpected field\(s\) x/,
    ],
    [
      'a huge count',
      '{"portfolios_analyzed_total": 1e12, "advice_generated_total": 2}',
      /at most 2147483647/,
    ],
    ['a string count', '{"portfolios_analyzed_total": "1", "advice_generated_total": 2}', /must be a number/],
    ['an array', '[1, 2]', /Invalid legacy usage file/],
    [
      'a huge file',
      `{"portfolios_analyzed_total": 1, "advice_generated_total": 2${' '.repeat(70_000)}}`,
      /larger than/,
    ],
  ])('refuses %s with a clear error', (_name, text, message) => {
    expect(() => parseLegacyUsage(text)).toThrow(LegacyImportError);
    expect(() => parseLegacyUsage(text)).toThrow(message);
  });

  it(
    'a malformed file run through the CLI exits 1, says why, and writes nothing',
    async () => {
      const out = await cli('{"portfolios_analyzed_total": -3, "advice_generated_total": 2}');
      expect(out.code).toBe(1);
      expect(out.stderr).toContain('portfolios_analyzed_total: must not be negative');
      expect(await ledger()).toEqual([]);
      expect(await db.current.sql`SELECT 1 FROM users WHERE sub = ${LEGACY_SUB}`).toHaveLength(0);
    },
    CLI_TIMEOUT,
  );

  it(
    'loads the counts into the legacy account, at price 0, not queued for Flexprice; a second run is a no-op',
    async () => {
      // Act
      const first = await cli('{"portfolios_analyzed_total": 120, "advice_generated_total": 455}');
      const second = await cli('{ "advice_generated_total": 455, "portfolios_analyzed_total": 120 }');
      // Assess
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(
        /Imported 120 portfolio analyses and 455 advice items into account "legacy-prototype"/,
      );
      expect(second.code).toBe(0);
      expect(second.stdout).toMatch(/Already imported .* Nothing written/);
      expect(await ledger()).toEqual([
        { feature: 'advice_generation', quantity: 455, unit_price_paise: '0', user_sub: LEGACY_SUB },
        { feature: 'portfolio_analysis', quantity: 120, unit_price_paise: '0', user_sub: LEGACY_SUB },
      ]);
      expect(await db.current.sql`SELECT 1 FROM billing_outbox`).toHaveLength(0);
      const usage = await usageOf(LEGACY_SUB);
      expect(usage).toMatchObject({ portfolios_analyzed_total: 120, advice_generated_total: 455 });
      // The day counters and the ledger agree.
      const counters = await db.current.sql`
      SELECT feature, quantity::int, unit_price_paise::int FROM usage_daily WHERE user_sub = ${LEGACY_SUB}
      ORDER BY feature`;
      expect(counters.map((r) => ({ ...r }))).toEqual([
        { feature: 'advice_generation', quantity: 455, unit_price_paise: 0 },
        { feature: 'portfolio_analysis', quantity: 120, unit_price_paise: 0 },
      ]);
      expect(await checkLedger(db.current.sql)).toEqual([]);
    },
    CLI_TIMEOUT,
  );

  it('refuses a second import with other counts and writes nothing', async () => {
    await importLegacyUsage(db.current.sql, { portfolios_analyzed_total: 120, advice_generated_total: 455 });
    await expect(
      importLegacyUsage(db.current.sql, { portfolios_analyzed_total: 1, advice_generated_total: 0 }),
    ).rejects.toThrow(/already imported .* with other counts; nothing was written/);
    expect(await ledger()).toHaveLength(2);
  });

  it('imports zero counts as no ledger rows, once, for another account', async () => {
    const usage = { portfolios_analyzed_total: 0, advice_generated_total: 0 };
    const [a, b] = await Promise.all([
      importLegacyUsage(db.current.sql, usage, { sub: 'legacy-zero' }),
      importLegacyUsage(db.current.sql, usage, { sub: 'legacy-zero' }),
    ]);
    expect([a?.kind, b?.kind].sort()).toEqual(['already-imported', 'imported']);
    expect(await db.current.sql`SELECT 1 FROM usage_events WHERE user_sub = 'legacy-zero'`).toHaveLength(0);
  });
});
