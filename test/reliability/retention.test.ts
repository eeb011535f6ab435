/**
 * The retention job (SPEC §9, docs/retention.md): analyses older than RETENTION_MONTHS whole
 * IST months lose their stored portfolio and answer, exactly as a deletion; the ledger is not
 * touched; runs are batched and idempotent.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as analyze } from '../../functions/analyze';
import { retentionCutoff } from '../../functions/core/retention';
import { retentionConfig, handler as retentionJob, runRetention } from '../../functions/retention';
import { checkLedger } from '../../scripts/lib/ledger-invariants';
import { at } from '../helpers/clock';
import { useTestDatabase } from '../helpers/db';
import { withEnv } from '../helpers/env';
import { apiEvent, lambdaContext } from '../helpers/events';
import { FIXTURE, seedPrices, TWO_ADVICE } from '../helpers/prices';
import { token } from '../helpers/tokens';

const db = useTestDatabase();

/** The job's clock in these tests: 12:00 IST on 6 Dec 2027; 13 months back is 6 Nov 2026, 00:00 IST. */
const NOW = new Date('2027-12-06T12:00:00+05:30');

async function analyzeAt(iso: string, sub: string, idempotencyKey?: string): Promise<string> {
  at(iso);
  try {
    const headers: Record<string, string> = idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {};
    const res = await analyze(
      apiEvent({ method: 'POST', path: '/api/analyze', token: await token(sub), body: TWO_ADVICE, headers }),
      lambdaContext(),
    );
    expect(res.statusCode).toBe(200);
    return JSON.parse(res.body ?? '{}').analysis_id;
  } finally {
    vi.useRealTimers();
  }
}

const live = async (sub: string) =>
  (
    await db.current.sql<{ id: string }[]>`
      SELECT id FROM analyses WHERE user_sub = ${sub} AND deleted_at IS NULL ORDER BY created_at`
  ).map((r) => r.id);

const ledger = () =>
  db.current.sql`SELECT analysis_id, feature, user_sub, quantity, unit_price_paise::text, occurred_at
                 FROM usage_events ORDER BY analysis_id, feature`;

const totals = () =>
  db.current.sql`SELECT * FROM usage_daily ORDER BY user_sub, day, feature, unit_price_paise`;

describe('retentionCutoff (whole IST calendar days)', () => {
  it('is the start of the IST day 13 months back, whatever the hour of the run', () => {
    const start = new Date('2026-11-06T00:00:00+05:30');
    expect(retentionCutoff(NOW, 13)).toEqual(start);
    // 00:10 IST is still the previous UTC day; 23:50 IST is the same IST day: same cutoff.
    expect(retentionCutoff(new Date('2027-12-06T00:10:00+05:30'), 13)).toEqual(start);
    expect(retentionCutoff(new Date('2027-12-06T23:50:00+05:30'), 13)).toEqual(start);
    expect(retentionCutoff(new Date('2027-12-07T00:00:00+05:30'), 13)).toEqual(
      new Date('2026-11-07T00:00:00+05:30'),
    );
  });

  it('clamps to the last day of a shorter month, and refuses a period outside 1-120 months', () => {
    expect(retentionCutoff(new Date('2027-03-31T09:00:00+05:30'), 1)).toEqual(
      new Date('2027-02-28T00:00:00+05:30'),
    );
    expect(retentionCutoff(new Date('2028-03-31T09:00:00+05:30'), 1)).toEqual(
      new Date('2028-02-29T00:00:00+05:30'),
    );
    expect(() => retentionCutoff(NOW, 0)).toThrow(RangeError);
    expect(() => retentionCutoff(NOW, 121)).toThrow(RangeError);
  });
});

describe('the retention job', () => {
  let before: { old: string; edge: string; kept: string; keyed: string; young: string };

  beforeAll(async () => {
    await seedPrices(db.current.sql, FIXTURE);
    before = {
      old: await analyzeAt('2026-01-10T10:00:00+05:30', 'ret-a'),
      // One millisecond before the cutoff: pruned. At the cutoff: kept.
      edge: await analyzeAt('2026-11-05T23:59:59.999+05:30', 'ret-a'),
      kept: await analyzeAt('2026-11-06T00:00:00+05:30', 'ret-a'),
      keyed: await analyzeAt('2026-03-01T09:00:00+05:30', 'ret-b', 'order-7'),
      young: await analyzeAt('2027-12-01T09:00:00+05:30', 'ret-b'),
    };
    // Several more old analyses for ret-c, so that small batches must revisit the same user.
    for (let i = 0; i < 5; i++) await analyzeAt(`2025-0${i + 1}-15T12:00:00+05:30`, 'ret-c');
  });

  it('erases analyses from before the cutoff in small batches, leaves younger ones and the whole ledger, and check-ledger passes', async () => {
    const events = await ledger();
    const sums = await totals();

    const run = await withEnv(
      { RETENTION_BATCH_USERS: '2', RETENTION_BATCH_PER_USER: '2', RETENTION_MONTHS: undefined },
      [retentionConfig],
      () => runRetention(NOW),
    );

    expect(run).toMatchObject({ pruned: 8, complete: true, months: 13, cutoff: '2026-11-05T18:30:00.000Z' });
    expect(run.batches).toBeGreaterThan(3);
    expect(await live('ret-a')).toEqual([before.kept]);
    expect(await live('ret-b')).toEqual([before.young]);
    expect(await live('ret-c')).toEqual([]);
    const [erased] = await db.current.sql`
      SELECT count(*)::int AS n FROM analyses
      WHERE deleted_at IS NOT NULL AND portfolio IS NULL AND rule_settings_id IS NULL AND response IS NULL`;
    expect(erased?.n).toBe(8);
    expect(await ledger()).toEqual(events);
    expect(await totals()).toEqual(sums);
    expect(await checkLedger(db.current.sql)).toEqual([]);

    // Idempotent: the next run finds nothing, and changes nothing.
    const again = await runRetention(NOW);
    expect(again).toMatchObject({ pruned: 0, complete: true });
    expect(await live('ret-a')).toEqual([before.kept]);

    // A pruned analysis's Idempotency-Key is spent: its replay is the 409 of a deleted analysis.
    at('2027-12-06T12:05:00+05:30');
    try {
      const replay = await analyze(
        apiEvent({
          method: 'POST',
          path: '/api/analyze',
          token: await token('ret-b'),
          body: TWO_ADVICE,
          headers: { 'Idempotency-Key': 'order-7' },
        }),
        lambdaContext(),
      );
      expect(replay.statusCode).toBe(409);
      expect(JSON.parse(replay.body ?? '{}').type).toBe('/problems/analysis-deleted');
    } finally {
      vi.useRealTimers();
    }

    // A configured period: with 1 month, the analysis kept above (6 Nov 2026) goes too; the one
    // of 1 Dec 2027 stays.
    const month = await withEnv({ RETENTION_MONTHS: '1' }, [retentionConfig], () => runRetention(NOW));
    expect(month).toMatchObject({ pruned: 1, cutoff: '2027-11-05T18:30:00.000Z' });
    expect(await live('ret-a')).toEqual([]);
    expect(await live('ret-b')).toEqual([before.young]);
  });

  // Prunes nothing (120 months, or no time), so it leaves the other test's data as it found it.
  it('the scheduled handler runs within its time budget and stops when out of time; a bad setting is refused', async () => {
    const stopped = await runRetention(NOW, () => true);
    expect(stopped).toEqual(expect.objectContaining({ pruned: 0, batches: 0, complete: false }));
    const result = await withEnv({ RETENTION_MONTHS: '120' }, [retentionConfig], () =>
      retentionJob({}, { getRemainingTimeInMillis: () => 60_000 }),
    );
    expect(result).toMatchObject({ pruned: 0, complete: true, months: 120 });
    // Less time left than the job keeps in reserve: it starts no batch.
    const late = await withEnv({ RETENTION_MONTHS: '120' }, [retentionConfig], () =>
      retentionJob({}, { getRemainingTimeInMillis: () => 1_000 }),
    );
    expect(late).toMatchObject({ batches: 0, complete: false });
    await expect(
      withEnv({ RETENTION_MONTHS: '0' }, [retentionConfig], () => runRetention(NOW)),
    ).rejects.toThrow(/RETENTION_MONTHS/);
  });
});
