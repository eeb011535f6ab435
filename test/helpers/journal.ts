/**
 * The journaling routes (DELETE /api/keys/{id}, DELETE /api/analyses/{id}) called as their
 * handlers, and a journal file of the test's own.
 */
import { handler as analysisDelete } from '../../functions/analysis-delete';
import { handler as keyCreate } from '../../functions/key-create';
import { handler as keyRevoke } from '../../functions/key-revoke';
import type { Sql } from '../../functions/platform/db';
import { journal } from '../../functions/platform/journal';
import { apiEvent, lambdaContext } from './events';
import { token } from './tokens';

/** Point the journal at `path` (undefined: off), as a fresh container would read it. */
export function useJournal(path: string | undefined) {
  if (path === undefined) delete process.env.JOURNAL_FILE;
  else process.env.JOURNAL_FILE = path;
  journal.reset();
}

export async function createKey(sub: string) {
  const res = await keyCreate(
    apiEvent({ method: 'POST', path: '/api/keys', token: await token(sub), body: { name: 'j' } }),
    lambdaContext(),
  );
  return JSON.parse(res.body ?? '{}') as { id: string; key: string };
}

export const revoke = async (sub: string, id: string) =>
  keyRevoke(
    apiEvent({ method: 'DELETE', path: `/api/keys/${id}`, token: await token(sub), pathParameters: { id } }),
    lambdaContext(),
  );

export const deleteAnalysis = async (sub: string, id: string) =>
  analysisDelete(
    apiEvent({
      method: 'DELETE',
      path: `/api/analyses/${id}`,
      token: await token(sub),
      pathParameters: { id },
    }),
    lambdaContext(),
  );

/** A stored analysis of `sub` made at `at` (no prices or billing needed), by its id. */
export async function insertAnalysis(sql: Sql, sub: string, at = new Date()): Promise<string> {
  await sql`INSERT INTO users (sub) VALUES (${sub}) ON CONFLICT DO NOTHING`;
  const [a] = await sql<[{ id: string }]>`
    INSERT INTO analyses (id, user_sub, request_hash, rule_set, portfolio, advice_count, portfolio_value_paise,
                          charged_paise, response, portfolios_analyzed_total, advice_generated_total, created_at)
    VALUES (gen_random_uuid(), ${sub}, repeat('0', 64), 'v1', '[]', 0, 100000, 500, '{}', 1, 0, ${at})
    RETURNING id::text`;
  return a.id;
}
