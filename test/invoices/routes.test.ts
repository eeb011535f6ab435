/**
 * The invoice routes: owners read only their invoices, admins record payments, every input is
 * validated, and every answer matches docs/openapi.json.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler as billing } from '../../functions/billing';
import { handler as getInvoice } from '../../functions/invoice-get';
import { handler as listInvoices } from '../../functions/invoice-list';
import { handler as payInvoice } from '../../functions/invoice-payment';
import { closeMonths, markOverdue } from '../../functions/invoices';
import { analyzeOkAt } from '../helpers/analyze';
import { at } from '../helpers/clock';
import { useTestDatabase } from '../helpers/db';
import { type ApiEventInput, apiEvent, lambdaContext } from '../helpers/events';
import { validateResponse } from '../helpers/openapi';
import { FIXTURE, seedPrices, TWO_ADVICE } from '../helpers/prices';
import { adminToken, token } from '../helpers/tokens';

const db = useTestDatabase();

const ROUTE = {
  list: { fn: listInvoices, method: 'GET', doc: '/api/billing/invoices' },
  get: { fn: getInvoice, method: 'GET', doc: '/api/billing/invoices/{id}' },
  pay: { fn: payInvoice, method: 'POST', doc: '/api/admin/invoices/{id}/payment' },
  bill: { fn: billing, method: 'GET', doc: '/api/billing' },
} as const;

const seen: Array<{ method: string; doc: string; res: APIGatewayProxyStructuredResultV2 }> = [];

async function call(
  route: keyof typeof ROUTE,
  input: Omit<ApiEventInput, 'path' | 'method'> & { id?: string; tok?: string | null },
) {
  const { fn, method, doc } = ROUTE[route];
  const id = input.id;
  const path = id === undefined ? doc : doc.replace('{id}', encodeURIComponent(id));
  const res = await fn(
    apiEvent({
      ...input,
      method,
      path,
      token: input.tok ?? undefined,
      pathParameters: id === undefined ? undefined : { id },
    }),
    lambdaContext(),
  );
  seen.push({ method, doc, res });
  return { status: res.statusCode, headers: res.headers ?? {}, json: JSON.parse(res.body ?? 'null') };
}

let alice: string;
let bob: string;
let admin: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  await seedPrices(db.current.sql, FIXTURE);
  for (const [iso, sub] of [
    ['2026-09-10T10:00:00+05:30', 'alice'],
    ['2026-10-10T10:00:00+05:30', 'alice'],
    ['2026-10-11T10:00:00+05:30', 'bob'],
  ] as const) {
    await analyzeOkAt(iso, sub, TWO_ADVICE);
  }
  vi.useRealTimers();
  alice = await token('alice');
  bob = await token('bob');
  admin = await adminToken('ops');
});

// Every test starts from the same invoices, issued afresh from the ledger written above.
beforeEach(async () => {
  const sql = db.current.sql;
  await sql`TRUNCATE invoice_lines, invoices, invoice_counters`;
  await closeMonths({ sql, now: new Date('2026-11-01T00:30:00+05:30') });
  // September's invoice (due 3 October) is overdue by now; October's (due 3 November) is not.
  await markOverdue({ sql, now: new Date('2026-11-01T00:30:00+05:30') });
  for (const r of await sql<Array<{ id: string; user_sub: string; period: string }>>`
    SELECT id, user_sub, period::text FROM invoices`) {
    ids[`${r.user_sub}:${r.period.slice(0, 7)}`] = r.id;
  }
});

/** Record the payment of alice's October invoice, as an admin would. */
const payAliceOctober = () =>
  call('pay', {
    tok: admin,
    id: ids['alice:2026-10'],
    body: { reference: 'UTR-2026110212345', paid_at: '2026-11-02T14:05:00+05:30' },
  });

afterEach(() => {
  vi.useRealTimers();
});

afterAll(() => {
  // Every answer seen in this file is one the document describes.
  expect(seen.flatMap(({ method, doc, res }) => validateResponse(method, doc, res))).toEqual([]);
});

describe('GET /api/billing/invoices', () => {
  it('lists only the caller’s invoices, newest month first', async () => {
    const res = await call('list', { tok: alice });
    expect(res.status).toBe(200);
    expect(
      res.json.invoices.map((i: { number: string; period: string; status: string; total: number }) => [
        i.period,
        i.number,
        i.status,
        i.total,
      ]),
    ).toEqual([
      ['2026-10', 'SC-2026-10-000001', 'issued', 9],
      ['2026-09', 'SC-2026-09-000001', 'overdue', 9.23],
    ]);
    const bobs = await call('list', { tok: bob });
    expect(bobs.json.invoices.map((i: { number: string }) => i.number)).toEqual(['SC-2026-10-000002']);
    expect((await call('list', { tok: await token('nobody') })).json).toEqual({ invoices: [] });
  });

  it('filters by ?status=', async () => {
    const overdue = await call('list', { tok: alice, query: { status: 'overdue' } });
    expect(overdue.json.invoices).toHaveLength(1);
    expect(overdue.json.invoices[0]).toMatchObject({
      period: '2026-09',
      late_fee: 0.23,
      subtotal: 9,
      total: 9.23,
    });
    expect((await call('list', { tok: alice, query: { status: 'paid' } })).json.invoices).toEqual([]);
  });

  it.each([['unpaid'], ['ISSUED'], ['']])('400 for status=%j', async (status) => {
    const res = await call('list', { tok: alice, query: { status } });
    expect(res.status).toBe(400);
    expect(res.json.errors).toEqual([{ field: 'status', message: expect.any(String) }]);
  });
});

describe('GET /api/billing/invoices/{id}', () => {
  it('returns the owner’s invoice with its lines and late fee', async () => {
    const res = await call('get', { tok: alice, id: ids['alice:2026-09'] });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      id: ids['alice:2026-09'],
      number: 'SC-2026-09-000001',
      period: '2026-09',
      period_start: '2026-09-01',
      period_end: '2026-09-30',
      due_date: '2026-10-03',
      status: 'overdue',
      currency: 'INR',
      subtotal: 9,
      late_fee: 0.23,
      total: 9.23,
      paid_at: null,
      payment_reference: null,
    });
    expect(
      res.json.lines.map(
        (l: { kind: string; feature: string; quantity: number; unit_price: number; amount: number }) => [
          l.kind,
          l.feature,
          l.quantity,
          l.unit_price,
          l.amount,
        ],
      ),
    ).toEqual([
      ['usage', 'portfolio_analysis', 1, 5, 5],
      ['usage', 'advice_generation', 2, 2, 4],
      ['late_fee', 'late_fee', 1, 0.23, 0.23],
    ]);
  });

  it('404 for another user’s invoice, exactly as for an unknown id', async () => {
    const others = await call('get', { tok: alice, id: ids['bob:2026-10'] });
    const unknown = await call('get', { tok: alice, id: '00000000-0000-4000-8000-000000000000' });
    expect(others.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(others.json.detail).toBe(unknown.json.detail);
  });

  it.each([['42'], ['not-a-uuid'], ["' OR 1=1 --"], ['0000000-0000-4000-8000-000000000000']])(
    '400 for id %j',
    async (id) => {
      const res = await call('get', { tok: alice, id });
      expect(res.status).toBe(400);
      expect(res.json.errors).toEqual([{ field: 'id', message: 'must be a uuid' }]);
    },
  );
});

describe('POST /api/admin/invoices/{id}/payment', () => {
  it('403 for a non-admin, even for their own invoice, and nothing changes', async () => {
    const res = await call('pay', { tok: alice, id: ids['alice:2026-10'], body: { reference: 'UTR1' } });
    expect(res.status).toBe(403);
    expect((await call('get', { tok: alice, id: ids['alice:2026-10'] })).json.status).toBe('issued');
  });

  it('an admin records the payment: paid, with time and reference', async () => {
    const res = await payAliceOctober();
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      status: 'paid',
      paid_at: '2026-11-02T08:35:00.000Z',
      payment_reference: 'UTR-2026110212345',
      total: 9,
    });
    expect((await call('get', { tok: alice, id: ids['alice:2026-10'] })).json.status).toBe('paid');
  });

  it('the same reference again is an idempotent 200; another reference is a 409', async () => {
    await payAliceOctober();
    const again = await call('pay', {
      tok: admin,
      id: ids['alice:2026-10'],
      body: { reference: 'UTR-2026110212345' },
    });
    expect(again.status).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json.paid_at).toBe('2026-11-02T08:35:00.000Z');
    const other = await call('pay', {
      tok: admin,
      id: ids['alice:2026-10'],
      body: { reference: 'UTR-OTHER' },
    });
    expect(other.status).toBe(409);
  });

  it('a paid invoice never gets a late fee, however late the job runs', async () => {
    await payAliceOctober();
    await markOverdue({ sql: db.current.sql, now: new Date('2027-03-01T00:30:00+05:30') });
    const paid = await call('get', { tok: alice, id: ids['alice:2026-10'] });
    expect(paid.json).toMatchObject({ status: 'paid', late_fee: 0, total: 9 });
    // bob's unpaid October did become overdue, and an overdue invoice can still be paid (fee included).
    const res = await call('pay', { tok: admin, id: ids['bob:2026-10'], body: { reference: 'NEFT 42' } });
    expect(res.json).toMatchObject({
      status: 'paid',
      late_fee: 0.23,
      total: 9.23,
      payment_reference: 'NEFT 42',
    });
  });

  it('404 for an unknown invoice', async () => {
    const res = await call('pay', {
      tok: admin,
      id: '00000000-0000-4000-8000-000000000000',
      body: { reference: 'UTR1' },
    });
    expect(res.status).toBe(404);
  });

  it.each([
    ['no body', undefined, 'body'],
    ['not JSON', '{"reference":', 'body'],
    ['no reference', {}, 'reference'],
    ['empty reference', { reference: '' }, 'reference'],
    ['padded reference', { reference: ' UTR1 ' }, 'reference'],
    ['reference too long', { reference: 'x'.repeat(201) }, 'reference'],
    ['non-ASCII reference', { reference: 'UTR–1' }, 'reference'],
    ['numeric reference', { reference: 42 }, 'reference'],
    ['paid_at not ISO', { reference: 'UTR1', paid_at: 'yesterday' }, 'paid_at'],
    ['paid_at without offset', { reference: 'UTR1', paid_at: '2026-11-02T14:05:00' }, 'paid_at'],
    ['paid_at in the future', { reference: 'UTR1', paid_at: '2099-01-01T00:00:00Z' }, 'paid_at'],
    ['unknown field', { reference: 'UTR1', amount: 9 }, 'amount'],
  ])('400 for %s', async (_name, body, field) => {
    const res = await call('pay', { tok: admin, id: ids['bob:2026-10'], body });
    expect(res.status).toBe(400);
    expect(res.json.errors).toEqual([expect.objectContaining({ field })]);
  });

  it('400 for a malformed id', async () => {
    const res = await call('pay', { tok: admin, id: 'nope', body: { reference: 'UTR1' } });
    expect(res.status).toBe(400);
  });
});

describe('GET /api/billing and invoices', () => {
  it('a month with an invoice shows its status and names it; a closed month without one stays closed', async () => {
    at('2026-11-28T12:00:00+05:30');
    // A token issued now (by the faked clock): one from the real clock would be from the future.
    const tok = await token('alice');
    const september = await call('bill', { tok, query: { period: '2026-09' } });
    expect(september.json).toMatchObject({
      status: 'overdue',
      subtotal: 9,
      invoice: { id: ids['alice:2026-09'], number: 'SC-2026-09-000001', late_fee: 0.23, total: 9.23 },
    });
    const august = await call('bill', { tok, query: { period: '2026-08' } });
    expect(august.json.status).toBe('closed');
    expect(august.json).not.toHaveProperty('invoice');
  });
});

describe('authentication', () => {
  it.each([
    ['list', undefined],
    ['get', '00000000-0000-4000-8000-000000000000'],
    ['pay', '00000000-0000-4000-8000-000000000000'],
  ] as const)('401 for %s without a token', async (route, id) => {
    const res = await call(route, { id, tok: null, body: route === 'pay' ? { reference: 'x' } : undefined });
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toBe('application/problem+json');
  });
});
