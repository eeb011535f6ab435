/**
 * DELETE /api/analyses/{id} (SPEC §9): the analysis leaves the history, the ledger keeps its
 * charge, an Idempotency-Key replay of it is a 409 that says so, and nobody else can delete it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { checkLedger } from '../../scripts/lib/ledger-invariants';
import { useTestDatabase } from '../helpers/db';
import { useLocalApi } from '../helpers/local-api';
import { CALM, FIXTURE, seedPrices, TWO_ADVICE } from '../helpers/prices';
import { token } from '../helpers/tokens';

const db = useTestDatabase();
const api = useLocalApi();

beforeAll(async () => {
  await seedPrices(db.current.sql, FIXTURE);
});

async function analyze(auth: string, body: unknown = TWO_ADVICE, headers: Record<string, string> = {}) {
  const res = await api.request('POST', '/api/analyze', { auth, body, headers });
  expect(res.status).toBe(200);
  return res.json as { analysis_id: string };
}

const listIds = async (auth: string) =>
  ((await api.request('GET', '/api/analyses', { auth })).json.items as { analysis_id: string }[]).map(
    (i) => i.analysis_id,
  );

/** What the user is billed and counted: must not move when an analysis is deleted. */
async function bill(auth: string) {
  const usage = await api.request('GET', '/api/usage', { auth });
  const billing = await api.request('GET', '/api/billing', { auth });
  return { usage: usage.json, billing: billing.json };
}

describe('DELETE /api/analyses/{id}', () => {
  it('204: the analysis leaves the list and GET answers 404, while usage and the bill keep the charge', async () => {
    const tok = await token('del-alice');
    const kept = await analyze(tok, CALM);
    const gone = await analyze(tok);
    const before = await bill(tok);

    const res = await api.request('DELETE', `/api/analyses/${gone.analysis_id}`, { auth: tok });
    expect(res.status).toBe(204);
    expect(res.json).toBeNull();

    expect(await listIds(tok)).toEqual([kept.analysis_id]);
    const get = await api.request('GET', `/api/analyses/${gone.analysis_id}`, { auth: tok });
    expect(get.status).toBe(404);
    expect(get.headers.get('content-type')).toBe('application/problem+json');
    expect(await bill(tok)).toEqual(before);
    expect(before.billing.subtotal).toBe(14); // 5 + (5 + 2 × 2): the deleted analysis is still billed
  });

  it('erases the stored portfolio and answer but keeps the ledger rows, and check-ledger still passes', async () => {
    const tok = await token('del-erase');
    const { analysis_id } = await analyze(tok);
    const ledger = async () =>
      db.current.sql`SELECT feature, quantity, unit_price_paise::text FROM usage_events
                     WHERE analysis_id = ${analysis_id} ORDER BY feature`;
    const events = await ledger();
    expect(events).toHaveLength(2);

    expect((await api.request('DELETE', `/api/analyses/${analysis_id}`, { auth: tok })).status).toBe(204);

    const [row] = await db.current.sql`
      SELECT portfolio, response, request_hash, portfolio_value_paise, rule_settings_id,
             charged_paise::text, advice_count, deleted_at IS NOT NULL AS deleted
      FROM analyses WHERE id = ${analysis_id}`;
    expect(row).toEqual({
      portfolio: null,
      response: null,
      request_hash: null,
      portfolio_value_paise: null,
      rule_settings_id: null,
      // What was charged stays: the amount and the advice count it was for.
      charged_paise: '900',
      advice_count: 2,
      deleted: true,
    });
    expect(await ledger()).toEqual(events);
    const [outbox] = await db.current.sql`
      SELECT count(*)::int AS n FROM billing_outbox WHERE analysis_id = ${analysis_id}`;
    expect(outbox?.n).toBe(2);
    expect(await checkLedger(db.current.sql)).toEqual([]);
  });

  it('a later Idempotency-Key replay of a deleted analysis is a 409 saying it was deleted, not a new charge', async () => {
    const tok = await token('del-replay');
    const headers = { 'Idempotency-Key': 'order-42' };
    const { analysis_id } = await analyze(tok, TWO_ADVICE, headers);
    await api.request('DELETE', `/api/analyses/${analysis_id}`, { auth: tok });
    const before = await bill(tok);

    const replay = await api.request('POST', '/api/analyze', { auth: tok, body: TWO_ADVICE, headers });
    expect(replay.status).toBe(409);
    expect(replay.headers.get('content-type')).toBe('application/problem+json');
    expect(replay.json.type).toBe('/problems/analysis-deleted');
    expect(replay.json.detail).toMatch(/deleted/);
    // Another body under the same key is refused the same way: the key stays spent.
    const other = await api.request('POST', '/api/analyze', { auth: tok, body: CALM, headers });
    expect(other.status).toBe(409);
    expect(await bill(tok)).toEqual(before);
  });

  it('404 for another user’s analysis (left untouched), an id already deleted, and a non-id', async () => {
    const owner = await token('del-owner');
    const { analysis_id } = await analyze(owner);
    const intruder = await token('del-intruder');

    const res = await api.request('DELETE', `/api/analyses/${analysis_id}`, { auth: intruder });
    expect(res.status).toBe(404);
    expect(await listIds(owner)).toEqual([analysis_id]);

    expect((await api.request('DELETE', `/api/analyses/${analysis_id}`, { auth: owner })).status).toBe(204);
    expect((await api.request('DELETE', `/api/analyses/${analysis_id}`, { auth: owner })).status).toBe(404);
    expect((await api.request('DELETE', '/api/analyses/not-a-uuid', { auth: owner })).status).toBe(404);
  });

  it('an API key of the owner may delete (it may read the history too); no credential is 401', async () => {
    const tok = await token('del-keyed');
    const created = await api.request('POST', '/api/keys', { auth: tok, body: { name: 'cleanup script' } });
    expect(created.status).toBe(201);
    const { analysis_id } = await analyze(tok);

    expect((await api.request('DELETE', `/api/analyses/${analysis_id}`)).status).toBe(401);
    const res = await api.request('DELETE', `/api/analyses/${analysis_id}`, { auth: created.json.key });
    expect(res.status).toBe(204);
    expect(await listIds(tok)).toEqual([]);
  });
});
