/**
 * The daily reconciliation against the local Flexprice stand-in: charges go out through the real
 * outbox sync, the stand-in stores (or loses) them, and the reconciliation reads them back with
 * the SDK and compares them with the ledger.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FlexpriceConfig, ReconcileConfig } from '../../functions/billing/config';
import { flexpriceProvider } from '../../functions/billing/flexprice';
import { type ReconcileDeps, reconcileDay } from '../../functions/billing/reconciliation';
import { flexpriceReader } from '../../functions/billing/reconciliation-provider';
import { syncOnce } from '../../functions/billing/sync';
import {
  type FlexpriceStandin,
  type StandinEvent,
  startFlexpriceStandin,
} from '../../local/flexprice-standin';
import { EVENTS_QUERY_PATH, EVENTS_USAGE_PATH } from '../../local/flexprice-standin-reads';
import { useTestDatabase } from '../helpers/db';
import { seedCharges } from './ledger-fixture';

const db = useTestDatabase();
const KEY = 'fp_test_key_reconcile_0123456789';
let standin: FlexpriceStandin;
const quiet = { debug() {}, info() {}, warn() {} };

const CONFIG: ReconcileConfig = {
  pageSize: 50,
  maxPages: 100,
  concurrency: 4,
  customersPerStep: 50,
  settleMs: 0,
  attempts: 2,
  backoffBaseMs: 1,
  backoffMaxMs: 5,
  leaseMs: 60_000,
  followUpDays: 7,
  recheckAfterMs: 0,
};

function syncConfig(): Extract<FlexpriceConfig, { enabled: true }> {
  return {
    enabled: true,
    apiUrl: standin.url,
    key: { kind: 'value', value: KEY },
    batchSize: 1000,
    maxAttempts: 3,
    timeoutMs: 2_000,
    backoffBaseMs: 1_000,
    backoffMaxMs: 60_000,
    leaseMs: 60_000,
  };
}

/** Drain the outbox to the stand-in, as the scheduled sync does. */
async function sync() {
  const config = syncConfig();
  return syncOnce({
    sql: db.current.sql,
    client: flexpriceProvider(config, KEY),
    config,
    logger: quiet,
    metrics: { addMetric: () => {} },
  });
}

function deps(overrides: Partial<ReconcileDeps> = {}): ReconcileDeps {
  return {
    sql: db.current.sql,
    reader: flexpriceReader({ ...CONFIG, apiUrl: standin.url, apiKey: KEY, timeoutMs: 2_000 }),
    config: CONFIG,
    logger: quiet,
    secrets: [KEY, standin.url],
    ...overrides,
  };
}

const ist = (local: string) => new Date(`${local}+05:30`);

async function outboxRow(eventId: string) {
  const [row] = await db.current.sql<{ status: string; occurred_at: Date }[]>`
    SELECT o.status, e.occurred_at FROM billing_outbox o
    JOIN usage_events e ON e.analysis_id = o.analysis_id AND e.feature = o.feature
    WHERE o.analysis_id::text || ':' || o.feature = ${eventId}`;
  return row;
}

beforeAll(async () => {
  standin = await startFlexpriceStandin();
});

afterAll(async () => {
  await standin.close();
});

beforeEach(async () => {
  await db.current.sql`UPDATE billing_outbox SET status = 'sent', sent_at = now() WHERE status <> 'sent'`;
  standin.reset();
});

describe('billing reconciliation', () => {
  it('finds an event Flexprice acknowledged but lost, resends it with the same id and timestamp, then matches', async () => {
    // Prepare: two charges (three events); Flexprice loses the first event it is sent.
    const events = await seedCharges(db.current.sql, [
      { sub: 'ana', at: ist('2026-11-02T10:00:00'), advice: 2 },
      { sub: 'ana', at: ist('2026-11-02T18:30:00'), advice: 0 },
    ]);
    standin.loseNext(1);
    await sync();
    const lost = standin.accepted[0] as StandinEvent;
    expect(standin.stored).toHaveLength(2);

    // Act: reconcile the day.
    const first = await reconcileDay('2026-11-02', deps());

    // Assess: found and queued again, the ledger's timestamp unchanged.
    expect(first).toMatchObject({ state: 'finished', status: 'resent', customersChecked: 1 });
    expect(first?.tally).toMatchObject({ matched: 2, resent: 1, unknown: 0, mismatches: 0 });
    expect(first?.findings).toEqual([expect.objectContaining({ kind: 'resent', eventId: lost.event_id })]);
    expect(await outboxRow(lost.event_id)).toMatchObject({ status: 'pending' });

    // Running the day again before the sync resends nothing new.
    const again = await reconcileDay('2026-11-02', deps());
    expect(again).toMatchObject({ status: 'resent' });
    expect(again?.tally).toMatchObject({ resent: 0, pending: 1 });

    // The normal sync sends it with the same event id and timestamp; the next run matches.
    await sync();
    const resent = standin.accepted.at(-1);
    expect(resent).toMatchObject({ event_id: lost.event_id, timestamp: lost.timestamp });
    expect(events.map((e) => e.eventId)).toContain(lost.event_id);
    const last = await reconcileDay('2026-11-02', deps());
    expect(last).toMatchObject({ state: 'finished', status: 'matched' });
    expect(last?.tally).toMatchObject({ matched: 3, resent: 0, pending: 0 });
  });

  it('reports drift when an event is still missing after its resend was accepted, and resends nothing more', async () => {
    await seedCharges(db.current.sql, [{ sub: 'dev', at: ist('2026-11-03T09:00:00'), advice: 1 }]);
    standin.loseNext(1);
    await sync();
    expect((await reconcileDay('2026-11-03', deps()))?.status).toBe('resent');
    standin.loseNext(1); // the resend is lost too
    await sync();
    const sends = standin.accepted.length;

    const run = await reconcileDay('2026-11-03', deps());

    expect(run).toMatchObject({ status: 'drift' });
    expect(run?.tally).toMatchObject({ stillMissing: 1, resent: 0 });
    expect(run?.findings.map((f) => f.kind)).toEqual(['still_missing']);
    await sync();
    expect(standin.accepted.length).toBe(sends);
  });

  it('reports an event Flexprice has and we do not, and resends nothing', async () => {
    await seedCharges(db.current.sql, [{ sub: 'ben', at: ist('2026-11-04T11:00:00'), advice: 1 }]);
    await sync();
    const stranger: StandinEvent = {
      event_id: 'not-ours:portfolio_analysis',
      event_name: 'portfolio_analysis',
      external_customer_id: 'ben',
      properties: { quantity: '1' },
      timestamp: ist('2026-11-04T12:00:00').toISOString(),
    };
    standin.stored.push(stranger);
    const before = standin.requests.length;

    const run = await reconcileDay('2026-11-04', deps());

    expect(run).toMatchObject({ state: 'finished', status: 'drift' });
    expect(run?.tally).toMatchObject({ matched: 2, unknown: 1, resent: 0 });
    expect(run?.findings).toEqual([
      expect.objectContaining({
        kind: 'unknown',
        eventId: stranger.event_id,
        customer: 'ben',
        quantity: null,
      }),
    ]);
    const pending = await db.current.sql`SELECT 1 FROM billing_outbox WHERE status = 'pending'`;
    expect(pending).toHaveLength(0);
    // Only reads: nothing sent, nothing deleted.
    const paths = standin.requests.slice(before).map((r) => r.path);
    expect(new Set(paths)).toEqual(new Set([EVENTS_USAGE_PATH, EVENTS_QUERY_PATH]));
    expect(standin.stored).toContain(stranger);
  });

  it('reports a quantity that differs from our ledger', async () => {
    const [, advice] = await seedCharges(db.current.sql, [
      { sub: 'cyd', at: ist('2026-11-05T11:00:00'), advice: 3 },
    ]);
    await sync();
    const theirs = standin.stored.find((e) => e.event_id === advice?.eventId) as StandinEvent;
    theirs.properties = { ...theirs.properties, quantity: '5' };

    const run = await reconcileDay('2026-11-05', deps());

    expect(run).toMatchObject({ status: 'drift' });
    expect(run?.tally).toMatchObject({ matched: 1, mismatches: 1, resent: 0 });
    expect(run?.findings).toEqual([
      expect.objectContaining({
        kind: 'quantity_mismatch',
        eventId: advice?.eventId,
        quantity: 3,
        providerQuantity: 5,
      }),
    ]);
  });

  it('pages through events/query 50 at a time until has_more is false', async () => {
    const charges = Array.from({ length: 130 }, (_, i) => ({
      sub: 'eve',
      at: new Date(ist('2026-11-06T08:00:00').getTime() + i * 60_000),
      advice: 1,
    }));
    await seedCharges(db.current.sql, charges);
    standin.loseNext(1);
    await sync();

    const run = await reconcileDay('2026-11-06', deps());

    expect(run?.tally).toMatchObject({ matched: 259, resent: 1 });
    const pages = standin.requests
      .filter((r) => r.path === EVENTS_QUERY_PATH)
      .map((r) => r.body as { page_size: number; iter_last_key?: string; event_name: string });
    const lostFeature = pages[0]?.event_name;
    const walked = pages.filter((p) => p.event_name === lostFeature);
    expect(walked).toHaveLength(3); // 130 events: 50 + 50 + 30
    expect(walked.every((p) => p.page_size === 50)).toBe(true);
    expect(walked[0]?.iter_last_key).toBeUndefined();
    expect(walked[1]?.iter_last_key).toBeTruthy();
    expect(walked[2]?.iter_last_key).not.toBe(walked[1]?.iter_last_key);
  });

  it('an event at 23:59:59.999 IST belongs to that day, one at 00:00 IST to the next', async () => {
    await seedCharges(db.current.sql, [
      { sub: 'fay', at: ist('2026-11-07T23:59:59.999'), advice: 0 },
      { sub: 'fay', at: ist('2026-11-08T00:00:00'), advice: 0 },
    ]);
    await sync();

    const day = await reconcileDay('2026-11-07', deps());
    const next = await reconcileDay('2026-11-08', deps());

    // The stand-in's range includes its end instant: the midnight event is dropped, not "unknown".
    expect(day).toMatchObject({ status: 'matched', customersChecked: 1 });
    expect(day?.tally).toMatchObject({ matched: 1, unknown: 0 });
    expect(next?.tally).toMatchObject({ matched: 1, unknown: 0 });
    const usage = standin.requests.find((r) => r.path === EVENTS_USAGE_PATH)?.body;
    expect(usage).toMatchObject({
      start_time: '2026-11-06T18:30:00.000Z',
      end_time: '2026-11-07T18:30:00.000Z',
      aggregation_type: 'SUM',
      property_name: 'quantity',
    });
  });

  it('fails cleanly while Flexprice is down (reason stored without key or URL); a later run completes', async () => {
    await seedCharges(db.current.sql, [{ sub: 'gus', at: ist('2026-11-09T10:00:00'), advice: 1 }]);
    await sync();
    // Every attempt of the first request fails (CONFIG.attempts = 2), then Flexprice is back.
    standin.failNext({ status: 503 }, CONFIG.attempts, EVENTS_USAGE_PATH);

    const failed = await reconcileDay('2026-11-09', deps());

    expect(failed).toMatchObject({ state: 'failed', status: null });
    expect(failed?.lastError).toContain('HTTP 503');
    expect(failed?.lastError).not.toContain(KEY);
    expect(failed?.lastError).not.toContain(standin.url);

    const later = await reconcileDay('2026-11-09', deps());

    expect(later).toMatchObject({ id: failed?.id, state: 'finished', status: 'matched', invocations: 2 });
    expect(later?.tally.matched).toBe(2);
  });

  it('retries a 429 with backoff within the run', async () => {
    await seedCharges(db.current.sql, [{ sub: 'hal', at: ist('2026-11-10T10:00:00'), advice: 0 }]);
    await sync();
    standin.failNext({ status: 429 }, 1, EVENTS_USAGE_PATH);

    const run = await reconcileDay('2026-11-10', deps());

    expect(run).toMatchObject({ state: 'finished', status: 'matched' });
    // Two features, and the first request once more after the 429.
    expect(standin.requests.filter((r) => r.path === EVENTS_USAGE_PATH)).toHaveLength(3);
  });
});
