/**
 * The race branch of POST /api/analyze, made to happen on demand: two requests with the same
 * Idempotency-Key both read "no stored answer", and the second one's write hits the unique key.
 * The store below is the real SQL store, except that its read can be told to see no stored
 * answer (as a read that ran just before the winner committed would). Everything else is real.
 */
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { analyzeAs } from '../helpers/analyze';
import { useTestDatabase } from '../helpers/db';
import { FIXTURE, seedPrices } from '../helpers/prices';

const race = vi.hoisted(() => ({ readSeesNoPrior: false }));

vi.mock('../../functions/analysis/analysis-store', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../functions/analysis/analysis-store')>();
  return {
    ...real,
    defaultAnalysisStore: async () => {
      const store = await real.defaultAnalysisStore();
      return {
        ...store,
        loadInputs: async (...args: Parameters<typeof store.loadInputs>) => {
          const inputs = await store.loadInputs(...args);
          return race.readSeesNoPrior ? { ...inputs, prior: null } : inputs;
        },
      };
    },
  };
});

const db = useTestDatabase();

const PORTFOLIO = { portfolio: [{ symbol: 'TCS', quantity: 10 }] };
const OTHER = { portfolio: [{ symbol: 'INFY', quantity: 3 }] };

async function billed(sub: string) {
  const [row] = await db.current.sql<[{ analyses: number; events: number; charged: string | null }]>`
    SELECT (SELECT count(*)::int FROM analyses WHERE user_sub = ${sub}) AS analyses,
           (SELECT count(*)::int FROM usage_events WHERE user_sub = ${sub}) AS events,
           (SELECT sum(quantity * unit_price_paise)::text FROM usage_daily WHERE user_sub = ${sub}) AS charged`;
  return row;
}

beforeAll(async () => {
  await seedPrices(db.current.sql, FIXTURE);
});

beforeEach(() => {
  race.readSeesNoPrior = false;
});

describe('POST /api/analyze losing a race on its Idempotency-Key', () => {
  it("answers with the winner's stored response, replayed, and bills once", async () => {
    // Another analysis of the same user under another key, stored first: the loser must find
    // the winner by its key, not just any analysis of the user.
    const earlier = await analyzeAs('rita', OTHER, { 'Idempotency-Key': 'earlier' });
    const winner = await analyzeAs('rita', PORTFOLIO, { 'Idempotency-Key': 'order-7' });
    expect([earlier.statusCode, winner.statusCode]).toEqual([200, 200]);
    const before = await billed('rita');

    race.readSeesNoPrior = true;
    const loser = await analyzeAs('rita', PORTFOLIO, { 'Idempotency-Key': 'order-7' });

    expect(loser.statusCode).toBe(200);
    expect(loser.headers['idempotent-replayed']).toBe('true');
    expect(loser.body).toBe(winner.body);
    expect(await billed('rita')).toEqual(before);
  });

  it('answers 409 when the winner stored another body under the key, and bills nothing', async () => {
    await analyzeAs('sam', OTHER, { 'Idempotency-Key': 'k' });
    const before = await billed('sam');

    race.readSeesNoPrior = true;
    const loser = await analyzeAs('sam', PORTFOLIO, { 'Idempotency-Key': 'k' });

    expect(loser.statusCode).toBe(409);
    expect(loser.json).toMatchObject({ status: 409, type: '/problems/conflict' });
    expect(await billed('sam')).toEqual(before);
  });
});
