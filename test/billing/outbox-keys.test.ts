/**
 * Outbox rows are named by the provider's event id '<analysis_id>:<feature>' (migrations/0013 keys
 * them by the two columns). Only that exact shape names a row: a look-alike never marks or requeues
 * one, and a malformed id never fails the batch it is in.
 */
import { describe, expect, it } from 'vitest';
import { markFailed, markSent } from '../../functions/billing/outbox-store';
import { resendEvents } from '../../functions/billing/reconciliation-ledger';
import { useTestDatabase } from '../helpers/db';
import { seedCharges } from './ledger-fixture';

const db = useTestDatabase();

const statusOf = async (eventId: string) => {
  const [row] = await db.current.sql<{ status: string }[]>`
    SELECT status FROM billing_outbox WHERE analysis_id::text || ':' || feature = ${eventId}`;
  return row?.status;
};

/** Spellings that resemble `id` but are not the id the sync sends. */
const lookalikes = (id: string) => {
  const [uuid, feature] = id.split(':') as [string, string];
  return [
    `${uuid.toUpperCase()}:${feature}`,
    `{${uuid}}:${feature}`,
    `${uuid.replace(/-/g, '')}:${feature}`,
    `${id}:extra`,
    `not-a-uuid:${feature}`,
    '',
    ':',
  ];
};

describe('outbox rows by event id', () => {
  it('marks only the exact id sent; look-alikes and garbage in the same batch change nothing and fail nothing', async () => {
    const [event] = await seedCharges(db.current.sql, [{ sub: 'ok-keys-1', at: new Date(), advice: 0 }]);
    const id = (event as { eventId: string }).eventId;

    await markSent(db.current.sql, lookalikes(id), new Date());
    expect(await statusOf(id)).toBe('pending');
    await markFailed(
      db.current.sql,
      lookalikes(id).map((eventId) => ({ eventId, status: 'dead', nextAttemptAt: new Date(), error: 'x' })),
    );
    expect(await statusOf(id)).toBe('pending');

    await markSent(db.current.sql, [...lookalikes(id), id], new Date());
    expect(await statusOf(id)).toBe('sent');
  });

  it('requeues only the exact id of a sent event', async () => {
    const [event] = await seedCharges(db.current.sql, [{ sub: 'ok-keys-2', at: new Date(), advice: 0 }]);
    const id = (event as { eventId: string }).eventId;
    await markSent(db.current.sql, [id], new Date());
    const [run] = await db.current.sql<{ id: string }[]>`
      INSERT INTO reconciliation_runs (id, day, state, started_at, updated_at, lease_until)
      VALUES (gen_random_uuid(), '2026-11-30', 'running', now(), now(), now()) RETURNING id::text`;
    const runRef = { id: (run as { id: string }).id, day: '2026-11-30' };

    expect(await resendEvents(db.current.sql, runRef, lookalikes(id), new Date())).toEqual([]);
    expect(await statusOf(id)).toBe('sent');
    expect(await resendEvents(db.current.sql, runRef, [id], new Date())).toEqual([id]);
    expect(await statusOf(id)).toBe('pending');
  });
});
