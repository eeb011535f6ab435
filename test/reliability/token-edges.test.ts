/**
 * Token edge cases from the chaos run (issue 8, defect 8), with real RS256 tokens signed by the
 * test issuer: a token must expire, may not be issued in the future beyond the clock skew, and
 * carries only well-formed strings; the scheme is case-insensitive (RFC 7235 §2.1).
 */
import { describe, expect, it } from 'vitest';
import { handler as market } from '../../functions/market';
import { useTestDatabase } from '../helpers/db';
import { apiEvent, lambdaContext } from '../helpers/events';
import { token } from '../helpers/tokens';

const db = useTestDatabase();

async function call(authorization: string) {
  const res = await market(apiEvent({ path: '/api/market', headers: { authorization } }), lambdaContext());
  return { status: res.statusCode, headers: res.headers ?? {}, json: JSON.parse(res.body ?? 'null') };
}

async function users(sub: string): Promise<number> {
  const [row] = await db.current.sql<
    [{ n: number }]
  >`SELECT count(*)::int AS n FROM users WHERE sub = ${sub}`;
  return row?.n ?? -1;
}

const now = () => Math.floor(Date.now() / 1000);

describe('access token edge cases', () => {
  it('401 for a token without exp', async () => {
    const res = await call(`Bearer ${await token('no-exp', { claims: { exp: undefined } })}`);
    expect(res.status).toBe(401);
    expect(res.json.detail).toMatch(/expir/);
    expect(await users('no-exp')).toBe(0);
  });

  it('401 for a token issued a day in the future; one minute ahead is within the skew', async () => {
    const future = await call(`Bearer ${await token('future', { claims: { iat: now() + 86_400 } })}`);
    expect(future.status).toBe(401);
    expect(future.json.detail).toMatch(/future/);
    const skewed = await call(`Bearer ${await token('skewed', { claims: { iat: now() + 60 } })}`);
    expect(skewed.status).toBe(200);
  });

  it.each([
    ['a NUL in sub', { sub: 'eve\u0000admin' }],
    ['an unpaired surrogate in sub', { sub: 'eve\ud800' }],
    ['a NUL in email', { email: 'eve\u0000@example.com' }],
    ['an unpaired surrogate in email', { email: 'eve\udc00@example.com' }],
    ['a NUL in username', { username: 'eve\u0000' }],
    ['a control character in sub', { sub: 'eve\u0007' }],
  ])('401 (not 500) for %s, and no user is created', async (_name, claims) => {
    const res = await call(`Bearer ${await token('strings', { claims })}`);
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toBe('application/problem+json');
    const [row] = await db.current.sql<
      [{ n: number }]
    >`SELECT count(*)::int AS n FROM users WHERE sub LIKE 'eve%'`;
    expect(row?.n).toBe(0);
  });

  it('the scheme is case-insensitive', async () => {
    const t = await token('scheme');
    for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
      expect((await call(`${scheme} ${t}`)).status, scheme).toBe(200);
    }
    expect((await call(`Basic ${t}`)).status).toBe(401);
  });
});
