/**
 * The invoice jobs against a real PostgreSQL: month close over IST boundaries, due dates, the
 * overdue rule and its one late fee, idempotent and concurrent re-runs, snapshotted prices.
 * Ledger fixtures go through POST /api/analyze, so they are what a real write produces. Each
 * test starts from an empty ledger and writes the usage it needs.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { priceListConfig } from '../../functions/analysis/config';
import { closeMonths, handler as invoiceJob, markOverdue } from '../../functions/invoices';
import { analyzeOkAt } from '../helpers/analyze';
import { at } from '../helpers/clock';
import { useTestDatabase } from '../helpers/db';
import { withEnv } from '../helpers/env';
import { CALM, FIXTURE, seedPrices, TWO_ADVICE } from '../helpers/prices';

const db = useTestDatabase();

/** Analyze at `iso` as `sub` (5.00 INR per analysis, 2.00 per advice item unless `withPrices`). */
async function analyzeAt(iso: string, sub: string, body: unknown) {
  await analyzeOkAt(iso, sub, body);
  vi.useRealTimers();
}

const withPrices = <T>(analysis: string, advice: string, fn: () => Promise<T>) =>
  withEnv({ PRICE_PORTFOLIO_ANALYSIS_INR: analysis, PRICE_ADVICE_ITEM_INR: advice }, [priceListConfig], fn);

const sql = () => db.current.sql;
const run = (iso: string) => ({ sql: sql(), now: new Date(iso) });

async function invoicesOf(sub: string) {
  return sql()<
    Array<{
      id: string;
      number: string;
      period: string;
      status: string;
      subtotal_paise: string;
      late_fee_paise: string;
      total_paise: string;
      due_date: string;
    }>
  >`SELECT id, number, period::text, status, subtotal_paise::text, late_fee_paise::text, total_paise::text,
           due_date::text
    FROM invoices WHERE user_sub = ${sub} ORDER BY period`;
}

async function linesOf(invoiceId: string) {
  return sql()<
    Array<{
      line_no: number;
      kind: string;
      feature: string;
      quantity: string;
      unit_price_paise: string;
      amount_paise: string;
    }>
  >`
    SELECT line_no, kind, feature, quantity::text, unit_price_paise::text, amount_paise::text
    FROM invoice_lines WHERE invoice_id = ${invoiceId} ORDER BY line_no`;
}

/** Everything the jobs write, to compare before and after re-runs. */
async function snapshot() {
  const [state] = await sql()<[{ invoices: unknown; lines: unknown; counters: unknown }]>`
    SELECT (SELECT json_agg(i ORDER BY i.number) FROM invoices i) AS invoices,
           (SELECT json_agg(l ORDER BY l.invoice_id, l.line_no) FROM invoice_lines l) AS lines,
           (SELECT json_agg(c ORDER BY c.period) FROM invoice_counters c) AS counters`;
  return state;
}

beforeAll(async () => {
  await seedPrices(sql(), FIXTURE);
});

beforeEach(async () => {
  await sql()`TRUNCATE invoice_lines, invoices, invoice_counters, reconciliation_resends, billing_outbox,
              usage_events, usage_daily, analyses`;
});

afterEach(() => {
  vi.useRealTimers();
});

/** dave: September only (5.00). */
const septemberOfDave = () => analyzeAt('2026-09-15T10:00:00+05:30', 'dave', CALM);

/**
 * alice: October at 23:59 IST on the 31st (9.00), November at 00:00 IST on the 1st (5.00).
 * bob: two October analyses, the second at a later, higher price (two lines for one feature).
 * carol: 0.20 INR in October, a late fee of exactly half a paisa, rounded up to 0.01.
 */
async function octoberOfAliceBobCarol() {
  await analyzeAt('2026-10-31T23:59:00+05:30', 'alice', TWO_ADVICE);
  await analyzeAt('2026-11-01T00:00:00+05:30', 'alice', CALM);
  await analyzeAt('2026-10-05T10:00:00+05:30', 'bob', CALM);
  await withPrices('7.50', '2.25', () => analyzeAt('2026-10-20T10:00:00+05:30', 'bob', TWO_ADVICE));
  await withPrices('0.20', '0.00', () => analyzeAt('2026-10-10T10:00:00+05:30', 'carol', CALM));
}

describe('close-month', () => {
  it('never invoices a running month', async () => {
    await septemberOfDave();
    expect(await closeMonths(run('2026-09-30T23:59:59+05:30'))).toEqual({ issued: 0 });
    expect(await sql()`SELECT 1 FROM invoices`).toHaveLength(0);
  });

  it('closes September at 00:00 IST on 1 October, and only September', async () => {
    await septemberOfDave();
    await analyzeAt('2026-10-01T00:00:00+05:30', 'erin', CALM);
    expect(await closeMonths(run('2026-10-01T00:00:00+05:30'))).toEqual({ issued: 1 });
    const [dave] = await invoicesOf('dave');
    expect(dave).toMatchObject({
      number: 'SC-2026-09-000001',
      period: '2026-09-01',
      status: 'issued',
      subtotal_paise: '500',
      total_paise: '500',
      due_date: '2026-10-03',
    });
    expect(await invoicesOf('erin')).toEqual([]);
  });

  it('closes October per IST month: 23:59 IST on the 31st is in it, 00:00 IST on the 1st is not', async () => {
    await octoberOfAliceBobCarol();
    // 00:30 IST on 28 November: October has ended, November is running.
    expect(await closeMonths(run('2026-11-28T00:30:00+05:30'))).toEqual({ issued: 3 });
    const alice = await invoicesOf('alice');
    expect(alice).toEqual([
      expect.objectContaining({
        period: '2026-10-01',
        subtotal_paise: '900',
        due_date: '2026-11-03',
        status: 'issued',
      }),
    ]);
    expect(await linesOf(alice[0]?.id ?? '')).toEqual([
      {
        line_no: 1,
        kind: 'usage',
        feature: 'portfolio_analysis',
        quantity: '1',
        unit_price_paise: '500',
        amount_paise: '500',
      },
      {
        line_no: 2,
        kind: 'usage',
        feature: 'advice_generation',
        quantity: '2',
        unit_price_paise: '200',
        amount_paise: '400',
      },
    ]);
    // Numbers: consecutive within the month, by user, stable.
    const october = await sql()<Array<{ number: string; user_sub: string }>>`
      SELECT number, user_sub FROM invoices WHERE period = '2026-10-01' ORDER BY number`;
    expect(october).toEqual([
      { number: 'SC-2026-10-000001', user_sub: 'alice' },
      { number: 'SC-2026-10-000002', user_sub: 'bob' },
      { number: 'SC-2026-10-000003', user_sub: 'carol' },
    ]);
  });

  it('takes each line from the snapshotted prices; a later price-list change alters nothing', async () => {
    await octoberOfAliceBobCarol();
    await closeMonths(run('2026-11-28T00:30:00+05:30'));
    const [bob] = await invoicesOf('bob');
    const before = await linesOf(bob?.id ?? '');
    expect(before.map((l) => [l.feature, l.quantity, l.unit_price_paise, l.amount_paise])).toEqual([
      ['portfolio_analysis', '1', '500', '500'],
      ['portfolio_analysis', '1', '750', '750'],
      ['advice_generation', '2', '225', '450'],
    ]);
    expect(bob?.subtotal_paise).toBe('1700');
    const state = await snapshot();
    await withPrices('99.00', '42.00', async () => {
      expect(await closeMonths(run('2026-11-28T12:00:00+05:30'))).toEqual({ issued: 0 });
    });
    expect(await snapshot()).toEqual(state);
  });
});

describe('mark-overdue', () => {
  it('a paid invoice never gets a fee; an unpaid one does', async () => {
    await septemberOfDave();
    await analyzeAt('2026-10-10T10:00:00+05:30', 'alice', TWO_ADVICE);
    expect(await closeMonths(run('2026-11-01T00:30:00+05:30'))).toEqual({ issued: 2 });
    await sql()`UPDATE invoices SET status = 'paid', paid_at = '2026-10-02T10:00:00+05:30', payment_reference = 'UTR1'
                WHERE user_sub = 'dave'`;
    expect(await markOverdue(run('2026-11-28T00:30:00+05:30'))).toEqual({ overdue: 1, lateFeesPaise: 23n });
    const [dave] = await invoicesOf('dave');
    expect(dave).toMatchObject({ status: 'paid', late_fee_paise: '0', total_paise: '500' });
    expect((await linesOf(dave?.id ?? '')).map((l) => l.kind)).toEqual(['usage']);
    const [alice] = await invoicesOf('alice');
    expect(alice).toMatchObject({ status: 'overdue', late_fee_paise: '23', total_paise: '923' });
  });

  it('is not overdue on the due date itself, up to 23:59:59 IST', async () => {
    // December usage, closed in January, due 3 January 2027.
    await analyzeAt('2026-12-10T10:00:00+05:30', 'erin', TWO_ADVICE);
    expect(await closeMonths(run('2027-01-01T00:30:00+05:30'))).toEqual({ issued: 1 });
    expect(await markOverdue(run('2027-01-03T23:59:59.999+05:30'))).toEqual({
      overdue: 0,
      lateFeesPaise: 0n,
    });
    const [erin] = await invoicesOf('erin');
    expect(erin).toMatchObject({ status: 'issued', due_date: '2027-01-03' });
    expect(await markOverdue(run('2027-01-04T00:00:00+05:30'))).toEqual({ overdue: 1, lateFeesPaise: 23n });
  });

  it('adds exactly one late fee of 2.5 %, half up: 9.00 → 0.23, 17.00 → 0.43, 0.20 → 0.01', async () => {
    await octoberOfAliceBobCarol();
    await closeMonths(run('2026-11-28T00:30:00+05:30'));
    expect(await markOverdue(run('2026-11-28T00:30:00+05:30'))).toEqual({ overdue: 3, lateFeesPaise: 67n });
    expect(await markOverdue(run('2026-11-29T00:30:00+05:30'))).toEqual({ overdue: 0, lateFeesPaise: 0n });
    const fees = await sql()<
      Array<{ user_sub: string; status: string; subtotal: string; fee: string; total: string }>
    >`
      SELECT user_sub, status, subtotal_paise::text AS subtotal, late_fee_paise::text AS fee,
             total_paise::text AS total
      FROM invoices ORDER BY user_sub`;
    expect(fees).toEqual([
      { user_sub: 'alice', status: 'overdue', subtotal: '900', fee: '23', total: '923' },
      { user_sub: 'bob', status: 'overdue', subtotal: '1700', fee: '43', total: '1743' },
      { user_sub: 'carol', status: 'overdue', subtotal: '20', fee: '1', total: '21' },
    ]);
    const [alice] = await invoicesOf('alice');
    expect((await linesOf(alice?.id ?? '')).at(-1)).toEqual({
      line_no: 3,
      kind: 'late_fee',
      feature: 'late_fee',
      quantity: '1',
      unit_price_paise: '23',
      amount_paise: '23',
    });
    const [{ n }] = await sql()<
      [{ n: number }]
    >`SELECT count(*)::int AS n FROM invoice_lines WHERE kind = 'late_fee'`;
    expect(n).toBe(3);
  });

  it('re-running both jobs, any number of times and concurrently, changes nothing', async () => {
    await octoberOfAliceBobCarol();
    await closeMonths(run('2026-12-05T00:30:00+05:30'));
    await markOverdue(run('2026-12-05T00:30:00+05:30'));
    const state = await snapshot();
    expect(state.invoices).toHaveLength(4); // October: alice, bob, carol; November: alice
    const later = ['2027-01-04T00:30:00+05:30', '2027-02-15T00:30:00+05:30', '2027-06-01T00:30:00+05:30'];
    for (const iso of later) {
      const results = await Promise.all([
        closeMonths(run(iso)),
        closeMonths(run(iso)),
        markOverdue(run(iso)),
        markOverdue(run(iso)),
      ]);
      expect(results).toEqual([
        { issued: 0 },
        { issued: 0 },
        { overdue: 0, lateFeesPaise: 0n },
        { overdue: 0, lateFeesPaise: 0n },
      ]);
    }
    expect(await snapshot()).toEqual(state);
  });
});

describe('concurrent first runs', () => {
  it('two closers and two overdue markers at once: one invoice per user and month, one fee each', async () => {
    // 30 users in March 2027; both jobs run four times at once in April, in small batches.
    const subs = Array.from({ length: 30 }, (_, i) => `m${String(i).padStart(2, '0')}`);
    for (const sub of subs) await analyzeAt('2027-03-10T10:00:00+05:30', sub, CALM);
    const closes = await Promise.all(
      Array.from({ length: 4 }, () => closeMonths({ ...run('2027-04-01T00:30:00+05:30'), batchSize: 7 })),
    );
    expect(closes.reduce((n, r) => n + r.issued, 0)).toBe(30);
    const numbers = await sql()<Array<{ number: string }>>`
      SELECT number FROM invoices WHERE period = '2027-03-01' ORDER BY number`;
    expect(numbers.map((r) => r.number)).toEqual(
      subs.map((_, i) => `SC-2027-03-${String(i + 1).padStart(6, '0')}`),
    );
    const marks = await Promise.all(
      Array.from({ length: 4 }, () => markOverdue({ ...run('2027-04-04T00:30:00+05:30'), batchSize: 4 })),
    );
    expect(marks.reduce((n, r) => n + r.overdue, 0)).toBe(30);
    expect(marks.reduce((n, r) => n + r.lateFeesPaise, 0n)).toBe(30n * 13n);
    const [{ fees }] = await sql()<[{ fees: number }]>`
      SELECT count(*)::int AS fees FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
      WHERE i.period = '2027-03-01' AND l.kind = 'late_fee'`;
    expect(fees).toBe(30);
  });

  it('the schema refuses a second invoice for a month and a second late fee', async () => {
    await analyzeAt('2026-10-10T10:00:00+05:30', 'alice', TWO_ADVICE);
    await closeMonths(run('2026-11-28T00:30:00+05:30'));
    await markOverdue(run('2026-11-28T00:30:00+05:30'));
    const [inv] = await invoicesOf('alice');
    await expect(
      sql()`INSERT INTO invoice_lines (invoice_id, line_no, kind, feature, quantity, unit_price_paise, amount_paise)
            VALUES (${inv?.id ?? ''}, 9, 'late_fee', 'late_fee', 1, 23, 23)`,
    ).rejects.toMatchObject({ code: '23505' });
    await expect(
      sql()`INSERT INTO invoices (id, number, user_sub, period, status, subtotal_paise, total_paise, issued_at, due_date)
            VALUES (gen_random_uuid(), 'SC-2026-10-999999', 'alice', '2026-10-01', 'issued', 1, 1, now(), '2026-11-03')`,
    ).rejects.toMatchObject({ code: '23505' });
  });
});

describe('handler (EventBridge)', () => {
  it('runs the job named in the event at the current time', async () => {
    await analyzeAt('2027-05-10T10:00:00+05:30', 'hugo', CALM);
    at('2027-06-01T00:30:00+05:30');
    expect(await invoiceJob({ job: 'close-month' })).toEqual({ job: 'close-month', issued: 1 });
    expect(await invoiceJob({ job: 'mark-overdue' })).toEqual({
      job: 'mark-overdue',
      overdue: 0,
      late_fees_paise: '0',
    });
    at('2027-06-04T00:30:00+05:30');
    expect(await invoiceJob({ job: 'mark-overdue' })).toEqual({
      job: 'mark-overdue',
      overdue: 1,
      late_fees_paise: '13',
    });
  });

  it('refuses an event that names no known job', async () => {
    await expect(invoiceJob({ job: 'sweep' })).rejects.toThrow();
    await expect(invoiceJob({})).rejects.toThrow();
  });

  it('an invoice with nothing to pay (all prices 0) is settled at issue and never overdue', async () => {
    await withPrices('0.00', '0.00', () => analyzeAt('2027-05-10T10:00:00+05:30', 'freeloader', CALM));
    await closeMonths(run('2027-06-01T00:30:00+05:30'));
    expect(await markOverdue(run('2027-07-01T00:30:00+05:30'))).toEqual({ overdue: 0, lateFeesPaise: 0n });
    const [free] = await invoicesOf('freeloader');
    expect(free).toMatchObject({
      status: 'paid',
      subtotal_paise: '0',
      late_fee_paise: '0',
      total_paise: '0',
    });
  });
});
