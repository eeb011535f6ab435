import { beforeAll, describe, expect, it } from 'vitest';
import { encodeCursor } from '../../functions/core/history';
import { useTestDatabase } from '../helpers/db';
import { useLocalApi } from '../helpers/local-api';
import { CALM, FIXTURE, seedPrices, TWO_ADVICE } from '../helpers/prices';
import { token } from '../helpers/tokens';

const db = useTestDatabase();
const api = useLocalApi();

beforeAll(async () => {
  await seedPrices(db.current.sql, FIXTURE);
});

async function analyze(auth: string, body: unknown = CALM) {
  const res = await api.request('POST', '/api/analyze', { auth, body });
  expect(res.status).toBe(200);
  return res.json;
}

/** Every item id, following next_cursor page by page (bounded). */
async function allPages(auth: string, limit: number) {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 50; pages++) {
    const q: string = cursor ? `&cursor=${cursor}` : '';
    const res = await api.request('GET', `/api/analyses?limit=${limit}${q}`, { auth });
    expect(res.status).toBe(200);
    expect(res.json.items.length).toBeLessThanOrEqual(limit);
    ids.push(...res.json.items.map((i: { analysis_id: string }) => i.analysis_id));
    cursor = res.json.next_cursor;
    if (!cursor) return ids;
  }
  throw new Error('more than 50 pages');
}

describe('GET /api/analyses', () => {
  it('still lists the others when one stored answer does not decode, that one without holdings', async () => {
    const tok = await token('h-corrupt');
    const good = await analyze(tok, CALM);
    const bad = await analyze(tok, TWO_ADVICE);
    // Bytes no dictionary inflates (a disk or a bug, never expected): one row's fault, not the page's.
    await db.current.sql`UPDATE analyses SET answer = '\\x81ff00ff'::bytea WHERE id = ${bad.analysis_id}`;

    const res = await api.request('GET', '/api/analyses', { auth: tok });
    expect(res.status).toBe(200);
    expect(
      res.json.items.map((i: { analysis_id: string; holdings: unknown }) => [i.analysis_id, i.holdings]),
    ).toEqual([
      [bad.analysis_id, []],
      [good.analysis_id, CALM.portfolio],
    ]);
  });

  it('lists the caller’s analyses newest first, with value, holdings, advice count and charge', async () => {
    const tok = await token('h-alice');
    const first = await analyze(tok, CALM);
    const second = await analyze(tok, TWO_ADVICE);
    await analyze(await token('h-other'), CALM);

    const res = await api.request('GET', '/api/analyses', { auth: tok });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      items: [
        {
          analysis_id: second.analysis_id,
          created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
          portfolio_value: 0.3,
          holdings: TWO_ADVICE.portfolio,
          advice_count: 2,
          charged: 9,
        },
        {
          analysis_id: first.analysis_id,
          created_at: expect.any(String),
          portfolio_value: 200,
          holdings: CALM.portfolio,
          advice_count: 0,
          charged: 5,
        },
      ],
      next_cursor: null,
    });
  });

  it('pages with a cursor that survives new analyses and equal timestamps', async () => {
    const tok = await token('h-bob');
    for (let i = 0; i < 5; i++) await analyze(tok);
    // Three more rows with the very same created_at as the newest: the id breaks the tie.
    await db.current.sql`
      INSERT INTO analyses (id, user_sub, request_hash, rule_set, portfolio, advice_count, portfolio_value_paise,
                            charged_paise, response, answer, portfolios_analyzed_total, advice_generated_total, created_at)
      SELECT gen_random_uuid(), user_sub, request_hash, rule_set, portfolio, advice_count, portfolio_value_paise,
             charged_paise, response, answer, portfolios_analyzed_total, advice_generated_total, created_at
      FROM analyses, generate_series(1, 3)
      WHERE user_sub = 'h-bob' AND created_at = (SELECT max(created_at) FROM analyses WHERE user_sub = 'h-bob')`;
    const expected = (
      await db.current.sql`SELECT id FROM analyses WHERE user_sub = 'h-bob' ORDER BY created_at DESC, id DESC`
    ).map((r) => r.id);
    expect(expected).toHaveLength(8);
    expect(await allPages(tok, 3)).toEqual(expected);

    // A new analysis arriving between pages neither shifts nor repeats items.
    const page1 = await api.request('GET', '/api/analyses?limit=3', { auth: tok });
    await analyze(tok);
    const page2 = await api.request('GET', `/api/analyses?limit=3&cursor=${page1.json.next_cursor}`, {
      auth: tok,
    });
    expect([...page1.json.items, ...page2.json.items].map((i) => i.analysis_id)).toEqual(
      expected.slice(0, 6),
    );
  });

  it('orders by the exact time, to the microsecond, not by the time as shown', async () => {
    const tok = await token('h-micro');
    const first = await analyze(tok);
    // Two more in the same millisecond, 100 µs apart, ids sorted against their times.
    await db.current.sql`
      INSERT INTO analyses (id, user_sub, request_hash, rule_set, portfolio, advice_count, portfolio_value_paise,
                            charged_paise, response, answer, portfolios_analyzed_total, advice_generated_total, created_at)
      SELECT v.id::uuid, user_sub, request_hash, rule_set, portfolio, advice_count, portfolio_value_paise, charged_paise,
             response, answer, portfolios_analyzed_total, advice_generated_total, timestamptz '2030-01-01 00:00:00.000100Z' + v.d
      FROM analyses,
           (VALUES ('ffffffff-0000-4000-8000-000000000000', interval '0'),
                   ('00000000-0000-4000-8000-000000000001', interval '100 microseconds')) AS v(id, d)
      WHERE analyses.id = ${first.analysis_id}`;
    const ids = await allPages(tok, 1);
    expect(ids).toEqual([
      '00000000-0000-4000-8000-000000000001',
      'ffffffff-0000-4000-8000-000000000000',
      first.analysis_id,
    ]);
  });

  it.each([['0'], ['101'], ['-1'], ['1.5'], ['ten'], ['']])('rejects limit=%s', async (limit) => {
    const res = await api.request('GET', `/api/analyses?limit=${limit}`, { auth: await token('h-carol') });
    expect(res.status).toBe(400);
    expect(res.json.errors).toEqual([{ field: 'limit', message: expect.stringMatching(/1 to 100/) }]);
  });

  it('rejects a tampered cursor', async () => {
    const tok = await token('h-carol');
    const good = encodeCursor({
      t: '2026-11-28T10:00:00.123456Z',
      i: '00000000-0000-4000-8000-000000000000',
    });
    expect((await api.request('GET', `/api/analyses?cursor=${good}`, { auth: tok })).status).toBe(200);
    const tampered = [
      `${good.slice(0, -2)}x`,
      'not*base64',
      Buffer.from('{"t":"yesterday","i":"x"}').toString('base64url'),
      Buffer.from('{"t":"2026-11-28T10:00:00.123456Z","i":"1\' OR 1=1"}').toString('base64url'),
      Buffer.from(
        '{"t":"2026-11-28T10:00:00.123456Z","i":"00000000-0000-4000-8000-000000000000","u":"h-alice"}',
      ).toString('base64url'),
      Buffer.from('[1,2]').toString('base64url'),
    ];
    for (const cursor of tampered) {
      const res = await api.request('GET', `/api/analyses?cursor=${encodeURIComponent(cursor)}`, {
        auth: tok,
      });
      expect(res.status).toBe(400);
      expect(res.json.errors[0].field).toBe('cursor');
    }
  });
});

describe('GET /api/analyses/{id}', () => {
  it('returns the stored answer exactly as first returned, never billed', async () => {
    const tok = await token('h-dave');
    const original = await api.request('POST', '/api/analyze', {
      auth: tok,
      body: TWO_ADVICE,
      headers: { 'Idempotency-Key': 'h-1' },
    });
    // A later analysis moves the usage totals on; the stored answer keeps its own.
    await analyze(tok);
    const usageBefore = await api.request('GET', '/api/usage', { auth: tok });

    const res = await api.request('GET', `/api/analyses/${original.json.analysis_id}`, { auth: tok });
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.json)).toBe(JSON.stringify(original.json));

    const usageAfter = await api.request('GET', '/api/usage', { auth: tok });
    expect(usageAfter.json).toEqual(usageBefore.json);
  });

  it('is 404 for another user’s analysis, an unknown id or garbage', async () => {
    const mine = await analyze(await token('h-erin'));
    const other = await token('h-frank');
    for (const id of [mine.analysis_id, '00000000-0000-4000-8000-000000000000', 'nope', '%27%20OR%201%3D1']) {
      const res = await api.request('GET', `/api/analyses/${id}`, { auth: other });
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
    }
  });

  it('works with an API key, shows the key that made an analysis, and isolates users', async () => {
    const tok = await token('h-grace');
    const created = await api.request('POST', '/api/keys', { auth: tok, body: { name: 'cron' } });
    const { id: keyId, key } = created.json;
    const viaKey = await analyze(key);
    expect(viaKey.api_key_id).toBe(keyId);

    const one = await api.request('GET', `/api/analyses/${viaKey.analysis_id}`, { auth: key });
    expect(one.status).toBe(200);
    expect(one.json.api_key_id).toBe(keyId);
    const list = await api.request('GET', '/api/analyses', { auth: key });
    expect(list.json.items.map((i: { analysis_id: string }) => i.analysis_id)).toEqual([viaKey.analysis_id]);

    // Another user's key sees none of it.
    const otherKey = (
      await api.request('POST', '/api/keys', { auth: await token('h-heidi'), body: { name: 'x' } })
    ).json.key;
    expect((await api.request('GET', `/api/analyses/${viaKey.analysis_id}`, { auth: otherKey })).status).toBe(
      404,
    );
    expect((await api.request('GET', '/api/analyses', { auth: otherKey })).json.items).toEqual([]);
  });
});
