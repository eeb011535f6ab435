/**
 * A payment cannot be backdated before its invoice existed, nor dated in the future beyond a
 * small skew (issue 8, defect 9).
 */
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler as analyze } from '../../functions/analyze';
import { handler as pay } from '../../functions/invoice-payment';
import { closeMonths } from '../../functions/invoices';
import { at } from '../helpers/clock';
import { useTestDatabase } from '../helpers/db';
import { apiEvent, lambdaContext } from '../helpers/events';
import { validateResponse } from '../helpers/openapi';
import { FIXTURE, seedPrices, TWO_ADVICE } from '../helpers/prices';
import { adminToken, token } from '../helpers/tokens';

const db = useTestDatabase();
const ISSUED = '2026-11-01T00:30:00+05:30';
let invoiceId: string;

beforeAll(async () => {
  await seedPrices(db.current.sql, FIXTURE);
  at('2026-10-10T10:00:00+05:30');
  const res = await analyze(
    apiEvent({ method: 'POST', path: '/api/analyze', token: await token('payer'), body: TWO_ADVICE }),
    lambdaContext(),
  );
  expect(res.statusCode).toBe(200);
  vi.useRealTimers();
  await closeMonths({ sql: db.current.sql, now: new Date(ISSUED) });
  const [row] = await db.current.sql<[{ id: string }]>`SELECT id FROM invoices WHERE user_sub = 'payer'`;
  invoiceId = row?.id ?? '';
});

// Each test starts from the unpaid invoice (the last test pays it), in any order.
beforeEach(async () => {
  await db.current.sql`UPDATE invoices SET status = 'issued', paid_at = NULL, payment_reference = NULL
                       WHERE id = ${invoiceId}`;
});

async function payWith(body: Record<string, unknown>) {
  const res = await pay(
    apiEvent({
      method: 'POST',
      path: `/api/admin/invoices/${invoiceId}/payment`,
      token: await adminToken('ops'),
      body,
      pathParameters: { id: invoiceId },
    }),
    lambdaContext(),
  );
  expect(validateResponse('POST', '/api/admin/invoices/{id}/payment', res)).toEqual([]);
  return { status: res.statusCode, json: JSON.parse(res.body ?? 'null') };
}

async function status(): Promise<string | undefined> {
  const [row] = await db.current.sql<
    [{ status: string }]
  >`SELECT status FROM invoices WHERE id = ${invoiceId}`;
  return row?.status;
}

describe('paid_at of a payment', () => {
  it.each([
    ['the epoch', '1970-01-01T00:00:00Z'],
    ['one second before the invoice was issued', '2026-10-31T18:59:59Z'],
  ])('400 naming paid_at for %s; the invoice stays unpaid', async (_name, paidAt) => {
    const res = await payWith({ reference: 'UTR-OLD', paid_at: paidAt });
    expect(res.status).toBe(400);
    expect(res.json.errors).toEqual([{ field: 'paid_at', message: expect.stringMatching(/issued/) }]);
    expect(await status()).toBe('issued');
  });

  it('400 for a paid_at an hour in the future', async () => {
    const res = await payWith({
      reference: 'UTR-NEXT',
      paid_at: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(res.status).toBe(400);
    expect(res.json.errors).toEqual([{ field: 'paid_at', message: expect.stringMatching(/future/) }]);
  });

  it('a paid_at at or after the issue time is recorded', async () => {
    const res = await payWith({ reference: 'UTR-OK', paid_at: '2026-10-31T19:00:00Z' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'paid', paid_at: '2026-10-31T19:00:00.000Z' });
  });
});
