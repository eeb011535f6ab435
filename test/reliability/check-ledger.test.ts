/**
 * `npm run check-ledger`: silent about a ledger the real handlers wrote (legacy import and an
 * issued invoice included), loud and non-zero about one corrupted on purpose.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as analyze } from '../../functions/analyze';
import { closeMonths } from '../../functions/invoices';
import { checkLedger } from '../../scripts/lib/ledger-invariants';
import { importLegacyUsage } from '../../scripts/lib/legacy-import';
import { at } from '../helpers/clock';
import { useTestDatabase } from '../helpers/db';
import { apiEvent, lambdaContext } from '../helpers/events';
import { FIXTURE, seedPrices, TWO_ADVICE } from '../helpers/prices';
import { token } from '../helpers/tokens';

const db = useTestDatabase();
const ROOT = join(import.meta.dirname, '../..');

async function runCheckLedger(): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'scripts/check-ledger.ts'],
      {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: db.current.url },
        timeout: 60_000,
      },
    );
    return { code: 0, out: stdout };
  } catch (error) {
    const e = error as { code?: number; stdout?: string };
    return { code: e.code ?? -1, out: e.stdout ?? '' };
  }
}

beforeAll(async () => {
  await seedPrices(db.current.sql, FIXTURE);
  at('2026-10-10T10:00:00+05:30');
  for (const [sub, key] of [
    ['led-a', 'k1'],
    ['led-a', 'k1'],
    ['led-a', undefined],
    ['led-b', 'k1'],
  ] as const) {
    const headers: Record<string, string> = key ? { 'Idempotency-Key': key } : {};
    const res = await analyze(
      apiEvent({ method: 'POST', path: '/api/analyze', token: await token(sub), body: TWO_ADVICE, headers }),
      lambdaContext(),
    );
    expect(res.statusCode).toBe(200);
  }
  vi.useRealTimers();
  await importLegacyUsage(db.current.sql, { portfolios_analyzed_total: 7, advice_generated_total: 12 });
  await closeMonths({ sql: db.current.sql, now: new Date('2026-11-01T00:30:00+05:30') });
});

describe('npm run check-ledger', () => {
  it('exits 0 on a ledger written by the handlers, the legacy import and invoicing', async () => {
    expect(await checkLedger(db.current.sql)).toEqual([]);
    const run = await runCheckLedger();
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/ledger consistent/);
  }, 90_000);

  it('exits 1 and names each broken rule on a corrupted ledger', async () => {
    const sql = db.current.sql;
    // A lost outbox row, a day counter that drifted, and a charge that disagrees with its events;
    // undone afterwards, so the other test sees the clean ledger in any order.
    const [lost] = await sql`SELECT o.* FROM billing_outbox o JOIN analyses a ON a.id = o.analysis_id
                             WHERE a.user_sub = 'led-b' LIMIT 1`;
    const [changed]: [{ id: string }?] = await sql`SELECT id FROM analyses WHERE user_sub = 'led-a' LIMIT 1`;
    await sql`DELETE FROM billing_outbox WHERE analysis_id = ${lost?.analysis_id} AND feature = ${lost?.feature}`;
    const [drifted]: [{ day: string; feature: string }?] = await sql`
      SELECT day::text, feature FROM usage_daily WHERE user_sub = 'led-a' LIMIT 1`;
    const drift = (by: number) => sql`
      UPDATE usage_daily SET quantity = quantity + ${by}
      WHERE user_sub = 'led-a' AND day = ${drifted?.day ?? null}::date AND feature = ${drifted?.feature ?? null}`;
    await drift(1);
    await sql`UPDATE analyses SET charged_paise = charged_paise + 100 WHERE id = ${changed?.id ?? null}`;
    try {
      const violations = (await checkLedger(sql)).map((v) => v.invariant);
      expect(violations).toEqual([
        expect.stringMatching(/charge is the sum of its events/),
        expect.stringMatching(/outbox row/),
        expect.stringMatching(/day counters are the sums/),
      ]);
      const run = await runCheckLedger();
      expect(run.code).toBe(1);
      expect(run.out.match(/^VIOLATION: /gm)).toHaveLength(3);
      expect(run.out).toMatch(/3 of \d+ ledger invariants broken/);
    } finally {
      if (lost) await sql`INSERT INTO billing_outbox ${sql(lost)}`;
      await drift(-1);
      await sql`UPDATE analyses SET charged_paise = charged_paise - 100 WHERE id = ${changed?.id ?? null}`;
    }
  }, 90_000);
});
