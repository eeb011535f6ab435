import { createHash, randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_INTERNALS, useTestDatabase, withDatabaseDown } from '../helpers/db';
import { useLocalApi } from '../helpers/local-api';
import { CALM, FIXTURE, seedPrices } from '../helpers/prices';
import { adminToken, token } from '../helpers/tokens';

const db = useTestDatabase();
const api = useLocalApi();

beforeAll(async () => {
  await seedPrices(db.current.sql, FIXTURE);
});

async function createKey(sub: string, name = 'laptop script', tok?: string) {
  const res = await api.request('POST', '/api/keys', { auth: tok ?? (await token(sub)), body: { name } });
  expect(res.status).toBe(201);
  return res.json as { id: string; name: string; key: string; prefix: string; created_at: string };
}

const randomKey = () => `sck_${randomBytes(32).toString('base64url')}`;

function expectProblem(res: { status: number; headers: Headers; json: unknown }, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  expect(res.json).toMatchObject({ status });
}

describe('API keys', () => {
  it('creates a key shown once, stored only as its SHA-256', async () => {
    // Act
    const created = await createKey('k-alice', 'portfolio bot');
    // Assess
    expect(created.key).toMatch(/^sck_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(created.key.slice(4), 'base64url')).toHaveLength(32);
    expect(created.prefix).toBe(created.key.slice(4, 12));
    expect(created.name).toBe('portfolio bot');
    const rows = await db.current.sql`SELECT * FROM api_keys WHERE id = ${created.id}`;
    expect(rows).toHaveLength(1);
    const stored = JSON.stringify(rows[0], (_k, v) => (Buffer.isBuffer(v) ? v.toString('hex') : v));
    expect(stored).not.toContain(created.key.slice(12));
    expect(Buffer.from(rows[0]?.key_hash).toString('hex')).toBe(
      createHash('sha256').update(created.key).digest('hex'),
    );

    const list = await api.request('GET', '/api/keys', { auth: await token('k-alice') });
    expect(list.status).toBe(200);
    expect(list.json.keys).toEqual([
      {
        id: created.id,
        name: 'portfolio bot',
        prefix: created.prefix,
        created_at: created.created_at,
        last_used_at: null,
        revoked_at: null,
      },
    ]);
    expect(JSON.stringify(list.json)).not.toContain(created.key);
  });

  it('rejects a nameless or overlong name with a field error', async () => {
    const tok = await token('k-names');
    for (const body of [{}, { name: '' }, { name: '   ' }, { name: 'x'.repeat(101) }, { name: 'a\nb' }]) {
      const res = await api.request('POST', '/api/keys', { auth: tok, body });
      expectProblem(res, 400);
      expect(res.json.errors[0].field).toBe('name');
    }
    expect(await db.current.sql`SELECT 1 FROM api_keys WHERE user_sub = 'k-names'`).toHaveLength(0);
  });

  it('acts as its owner on every data route, and an analysis names the key', async () => {
    const { id, key } = await createKey('k-bob');
    expect((await api.request('GET', '/api/market?symbols=TCS', { auth: key })).status).toBe(200);

    const analyzed = await api.request('POST', '/api/analyze', { auth: key, body: CALM });
    expect(analyzed.status).toBe(200);
    expect(analyzed.json.api_key_id).toBe(id);
    const [row] = await db.current
      .sql`SELECT user_sub, api_key_id FROM analyses WHERE id = ${analyzed.json.analysis_id}`;
    expect(row).toEqual({ user_sub: 'k-bob', api_key_id: id });

    const usage = await api.request('GET', '/api/usage', { auth: key });
    expect(usage.json.portfolios_analyzed_total).toBe(1);
    expect((await api.request('GET', '/api/billing', { auth: key })).status).toBe(200);
    expect((await api.request('GET', '/api/billing/invoices', { auth: key })).status).toBe(200);
    // An analysis made with an access token names no key.
    const viaToken = await api.request('POST', '/api/analyze', { auth: await token('k-bob'), body: CALM });
    expect(viaToken.json).not.toHaveProperty('api_key_id');
  });

  it('is refused with 403 on key management, settings and admin routes, even for an admin', async () => {
    const { key, id } = await createKey('k-root', 'admin key', await adminToken('k-root'));
    const refused = [
      ['POST', '/api/keys', { name: 'minted' }],
      ['GET', '/api/keys', undefined],
      ['DELETE', `/api/keys/${id}`, undefined],
      ['GET', '/api/settings/rules', undefined],
      ['PUT', '/api/settings/rules', { rules: [{ id: 'concentration', enabled: false }] }],
      ['POST', '/api/admin/invoices/00000000-0000-4000-8000-000000000000/payment', { reference: 'UTR-1' }],
    ] as const;
    for (const [method, path, body] of refused) {
      const res = await api.request(method, path, { auth: key, body });
      expectProblem(res, 403);
      expect(res.json.detail).toMatch(/API keys cannot be used/);
    }
    // The owner's admin group does not travel with the key.
    expectProblem(await api.request('GET', '/api/usage?scope=global', { auth: key }), 403);
    const [row] = await db.current.sql`SELECT revoked_at FROM api_keys WHERE id = ${id}`;
    expect(row?.revoked_at).toBeNull();
    expect(await db.current.sql`SELECT 1 FROM api_keys WHERE user_sub = 'k-root'`).toHaveLength(1);
  });

  it('stops working at once when revoked; revoking is idempotent and per owner', async () => {
    const owner = await token('k-carol');
    const { id, key } = await createKey('k-carol');
    expect((await api.request('GET', '/api/usage', { auth: key })).status).toBe(200);

    // Another user cannot revoke it, nor learn that it exists.
    const foreign = await api.request('DELETE', `/api/keys/${id}`, { auth: await token('k-mallory') });
    expectProblem(foreign, 404);
    expect((await api.request('GET', '/api/usage', { auth: key })).status).toBe(200);

    const revoked = await api.request('DELETE', `/api/keys/${id}`, { auth: owner });
    expect(revoked.status).toBe(204);
    const after = await api.request('GET', '/api/usage', { auth: key });
    expectProblem(after, 401);
    expect(after.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expectProblem(await api.request('POST', '/api/analyze', { auth: key, body: CALM }), 401);

    expect((await api.request('DELETE', `/api/keys/${id}`, { auth: owner })).status).toBe(204);
    const list = await api.request('GET', '/api/keys', { auth: owner });
    expect(list.json.keys[0]).toMatchObject({ id, revoked_at: expect.any(String) });
  });

  it('answers 404 for an unknown or garbage key id', async () => {
    const tok = await token('k-dave');
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid', "1' OR '1'='1"]) {
      expectProblem(await api.request('DELETE', `/api/keys/${encodeURIComponent(id)}`, { auth: tok }), 404);
    }
  });

  it('allows 10 active keys per user, also under concurrent creation', async () => {
    const tok = await token('k-erin');
    const results = await Promise.all(
      Array.from({ length: 14 }, (_, i) =>
        api.request('POST', '/api/keys', { auth: tok, body: { name: `key ${i}` } }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(10);
    const refused = results.filter((r) => r.status === 409);
    expect(refused).toHaveLength(4);
    expectProblem(refused[0] as (typeof results)[number], 409);

    // Revoking one makes room for one more.
    const id = (results.find((r) => r.status === 201) as (typeof results)[number]).json.id;
    expect((await api.request('DELETE', `/api/keys/${id}`, { auth: tok })).status).toBe(204);
    expect((await api.request('POST', '/api/keys', { auth: tok, body: { name: 'again' } })).status).toBe(201);
    expect((await api.request('POST', '/api/keys', { auth: tok, body: { name: 'too many' } })).status).toBe(
      409,
    );
  });

  it('rejects malformed keys with 401 before any lookup', async () => {
    const good = randomKey();
    const malformed = [
      good.slice(0, -1), // 42 characters
      `${good}A`, // 44 characters
      `${good.slice(0, -1)}+`, // not base64url
      `${good.slice(0, -1)}=`,
      'sck_',
    ];
    for (const bad of malformed) {
      const res = await api.request('GET', '/api/market', { auth: bad });
      expectProblem(res, 401);
      expect(res.json.detail).toMatch(/malformed/);
    }
    // Another prefix is not a key at all: treated as a (bad) access token.
    for (const bad of [`SCK_${good.slice(4)}`, `sk_${good.slice(4)}`, `sck-${good.slice(4)}`]) {
      expectProblem(await api.request('GET', '/api/market', { auth: bad }), 401);
    }
  });

  it('gives a key sharing a live key’s prefix the same 401 as any unknown key', async () => {
    const { key } = await createKey('k-frank');
    const samePrefix = `${key.slice(0, 12)}${randomBytes(32).toString('base64url').slice(0, 35)}`;
    expect(samePrefix).toMatch(/^sck_[A-Za-z0-9_-]{43}$/);
    const a = await api.request('GET', '/api/usage', { auth: samePrefix });
    const b = await api.request('GET', '/api/usage', { auth: randomKey() });
    expectProblem(a, 401);
    expect({ ...a.json, instance: undefined }).toEqual({ ...b.json, instance: undefined });
    expect([...a.headers.entries()].filter(([k]) => k !== 'date')).toEqual(
      [...b.headers.entries()].filter(([k]) => k !== 'date'),
    );
  });

  it('stops working when its owner is deleted', async () => {
    const { key } = await createKey('k-gone');
    await db.current.sql`DELETE FROM users WHERE sub = 'k-gone'`;
    expectProblem(await api.request('GET', '/api/market', { auth: key }), 401);
    expectProblem(await api.request('POST', '/api/analyze', { auth: key, body: CALM }), 401);
  });

  it('records last use at most once a minute', async () => {
    const { id, key } = await createKey('k-heidi');
    const lastUsed = async () =>
      (await db.current.sql`SELECT last_used_at FROM api_keys WHERE id = ${id}`)[0]
        ?.last_used_at as Date | null;
    expect(await lastUsed()).toBeNull();
    await api.request('GET', '/api/market', { auth: key });
    const first = await lastUsed();
    expect(first).toBeInstanceOf(Date);
    await api.request('GET', '/api/market', { auth: key });
    await api.request('POST', '/api/analyze', { auth: key, body: CALM });
    expect(await lastUsed()).toEqual(first);
    // A minute later the next request moves it (analyze's folded lookup included).
    await db.current
      .sql`UPDATE api_keys SET last_used_at = last_used_at - interval '61 seconds' WHERE id = ${id}`;
    await api.request('POST', '/api/analyze', { auth: key, body: CALM });
    expect((await lastUsed())?.getTime()).toBeGreaterThan((first as Date).getTime() - 61_000);
    expect(await lastUsed()).not.toEqual(first);
  });

  it('answers 503 with Retry-After, never 401, while the key store is down', async () => {
    const { key } = await createKey('k-ivan');
    await withDatabaseDown(async () => {
      for (const [method, path] of [
        ['GET', '/api/market'],
        ['GET', '/api/usage'],
        ['POST', '/api/analyze'],
      ] as const) {
        const res = await api.request(method, path, {
          auth: key,
          body: method === 'POST' ? CALM : undefined,
        });
        expectProblem(res, 503);
        expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
        expect(JSON.stringify(res.json)).not.toMatch(DATABASE_INTERNALS);
      }
    });
  });
});
