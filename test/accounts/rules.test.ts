import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../helpers/db';
import { useLocalApi } from '../helpers/local-api';
import { FIXTURE, seedPrices, TWO_ADVICE } from '../helpers/prices';
import { token } from '../helpers/tokens';

const db = useTestDatabase();
const api = useLocalApi();

beforeAll(async () => {
  await seedPrices(db.current.sql, FIXTURE);
});

/** TCS concentrated and falling 6 % in 7 days, HDFCBANK volatile: 4 advice items at the defaults. */
const MIXED = {
  portfolio: [
    { symbol: 'TCS', quantity: 10 },
    { symbol: 'INFY', quantity: 1 },
    { symbol: 'HDFCBANK', quantity: 1 },
  ],
};
const rulesOf = (body: { advice: Array<{ symbol: string; rule: string }> }) =>
  body.advice.map((a) => `${a.symbol}:${a.rule}`);

const put = async (auth: string, rules: unknown[]) =>
  api.request('PUT', '/api/settings/rules', { auth, body: { rules } });

describe('advice rule settings', () => {
  it('shows every rule of set v1 with its threshold, default, bounds and description', async () => {
    const res = await api.request('GET', '/api/settings/rules', { auth: await token('r-new') });
    expect(res.status).toBe(200);
    expect(res.json.rule_set).toBe('v1');
    expect(res.json.rules).toHaveLength(6);
    expect(res.json.rules[0]).toEqual({
      id: 'concentration',
      title: 'Concentration',
      enabled: true,
      threshold: 0.5,
      default_threshold: 0.5,
      min: 0.1,
      max: 0.9,
      description: expect.stringMatching(/weight/),
    });
  });

  it('later analyses use the caller’s settings: a disabled rule gives no advice and costs nothing', async () => {
    const tok = await token('r-alice');
    const before = await api.request('POST', '/api/analyze', { auth: tok, body: MIXED });
    expect(rulesOf(before.json)).toEqual([
      'TCS:concentration',
      'TCS:sharp_drop',
      'INFY:underweight_momentum',
      'HDFCBANK:high_volatility',
    ]);
    expect(before.json.billing.charged).toBe(13);

    const saved = await put(tok, [
      { id: 'concentration', enabled: false },
      { id: 'sharp_drop', threshold: -8 },
      { id: 'high_volatility', threshold: 0.06 },
    ]);
    expect(saved.status).toBe(200);
    expect(
      saved.json.rules
        .slice(0, 4)
        .map((r: { enabled: boolean; threshold: number }) => [r.enabled, r.threshold]),
    ).toEqual([
      [false, 0.5],
      [true, -8],
      [true, 5],
      [true, 0.06],
    ]);
    expect((await api.request('GET', '/api/settings/rules', { auth: tok })).json).toEqual(saved.json);

    const after = await api.request('POST', '/api/analyze', { auth: tok, body: MIXED });
    expect(rulesOf(after.json)).toEqual(['INFY:underweight_momentum']);
    expect(after.json.billing).toMatchObject({ charged: 7, breakdown: { advice_items: 1 } });
    const [row] = await db.current.sql`
      SELECT a.charged_paise::int AS charged, r.settings AS rule_settings
      FROM analyses a JOIN rule_settings_used r ON r.id = a.rule_settings_id
      WHERE a.id = ${after.json.analysis_id}`;
    expect(row?.charged).toBe(700);
    expect(row?.rule_settings.rules[0]).toEqual({ id: 'concentration', enabled: false, threshold: 0.5 });
    expect(row?.rule_settings.rules[1]).toEqual({ id: 'sharp_drop', enabled: true, threshold: -8 });

    // Others keep the configured defaults.
    const other = await api.request('POST', '/api/analyze', { auth: await token('r-bob'), body: MIXED });
    expect(other.json.advice).toHaveLength(4);
  });

  it('moves thresholds both ways, and null returns a rule to its default', async () => {
    const tok = await token('r-carol');
    // Two holdings in one sector: diversification fires at the default (2 sectors).
    await put(tok, [{ id: 'concentration', threshold: 0.9 }]);
    expect(
      rulesOf((await api.request('POST', '/api/analyze', { auth: tok, body: TWO_ADVICE })).json),
    ).toEqual(['PORTFOLIO:diversification']);
    await put(tok, [
      { id: 'concentration', threshold: null },
      { id: 'diversification', enabled: false },
    ]);
    expect(
      rulesOf((await api.request('POST', '/api/analyze', { auth: tok, body: TWO_ADVICE })).json),
    ).toEqual(['B:concentration']);
    const view = await api.request('GET', '/api/settings/rules', { auth: tok });
    expect(view.json.rules[0]).toMatchObject({ threshold: 0.5, enabled: true });
  });

  it('refuses unknown ids and out-of-range thresholds with field errors, saving nothing', async () => {
    const tok = await token('r-dave');
    const res = await put(tok, [
      { id: 'concentration', enabled: false },
      { id: 'no_such_rule', enabled: false },
      { id: 'sharp_drop', threshold: 3 },
    ]);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.json.errors).toEqual([
      { field: 'rules[1].id', message: expect.stringMatching(/must be one of/) },
      { field: 'rules[2].threshold', message: 'must be between -50 and -1' },
    ]);
    expect(await db.current.sql`SELECT 1 FROM rule_settings WHERE user_sub = 'r-dave'`).toHaveLength(0);
    const notJson = await api.request('PUT', '/api/settings/rules', { auth: tok, body: 'rules' });
    expect(notJson.status).toBe(400);
  });

  it('an Idempotency-Key replay answers what was stored, even after the settings changed', async () => {
    const tok = await token('r-erin');
    const headers = { 'Idempotency-Key': 'r-1' };
    const first = await api.request('POST', '/api/analyze', { auth: tok, body: MIXED, headers });
    await put(tok, [{ id: 'concentration', enabled: false }]);
    const replay = await api.request('POST', '/api/analyze', { auth: tok, body: MIXED, headers });
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.json).toEqual(first.json);
    const [count] = await db.current.sql`SELECT count(*)::int AS n FROM analyses WHERE user_sub = 'r-erin'`;
    expect(count?.n).toBe(1);
  });

  it('applies to analyses made with the owner’s API key', async () => {
    const tok = await token('r-frank');
    const { key } = (await api.request('POST', '/api/keys', { auth: tok, body: { name: 'bot' } })).json;
    await put(tok, [
      { id: 'concentration', enabled: false },
      { id: 'sharp_drop', enabled: false },
    ]);
    const res = await api.request('POST', '/api/analyze', { auth: key, body: MIXED });
    expect(rulesOf(res.json)).toEqual(['INFY:underweight_momentum', 'HDFCBANK:high_volatility']);
  });

  it('keeps both of two concurrent changes to different rules', async () => {
    const tok = await token('r-grace');
    await Promise.all([
      put(tok, [{ id: 'strong_growth', threshold: 10 }]),
      put(tok, [{ id: 'sharp_drop', threshold: -10 }]),
    ]);
    const view = await api.request('GET', '/api/settings/rules', { auth: tok });
    expect(view.json.rules[1].threshold).toBe(-10);
    expect(view.json.rules[2].threshold).toBe(10);
  });
});
