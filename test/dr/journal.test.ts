/**
 * The disaster-recovery journal (functions/platform/journal.ts): written before the change by
 * the requests that make it, refused changes when it cannot be written, and re-applied after a
 * restore by scripts/lib/dr/replay.ts.
 */
import { execFile } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handler as invoicePayment } from '../../functions/invoice-payment';
import { closeMonths } from '../../functions/invoices';
import { readJournal } from '../../functions/platform/journal';
import { replayJournal } from '../../scripts/lib/dr/replay';
import { useTestDatabase } from '../helpers/db';
import { apiEvent, lambdaContext } from '../helpers/events';
import { createKey, insertAnalysis, revoke, useJournal } from '../helpers/journal';
import { adminToken } from '../helpers/tokens';

const db = useTestDatabase();
let dir: string;
let file: string;

/** Last month's usage for `sub`, so that closing months issues an invoice. */
async function usageLastMonth(sub: string) {
  const at = new Date(Date.now() - 40 * 86_400_000);
  const sql = db.current.sql;
  const id = await insertAnalysis(sql, sub, at);
  await sql`INSERT INTO usage_events (analysis_id, feature, user_sub, quantity, unit_price_paise, occurred_at)
            VALUES (${id}, 'portfolio_analysis', ${sub}, 1, 500, ${at})`;
  await sql`INSERT INTO usage_daily (user_sub, day, feature, unit_price_paise, quantity)
            VALUES (${sub}, (${at}::timestamptz AT TIME ZONE 'Asia/Kolkata')::date, 'portfolio_analysis', 500, 1)`;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'journal-test-'));
});
afterAll(async () => {
  useJournal(undefined);
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  file = join(dir, `${crypto.randomUUID()}.jsonl`);
  useJournal(file);
});

describe('what a restore must not undo', () => {
  it('a revoked key is journaled and revoked again after a restore brings it back', async () => {
    // Prepare
    const sub = 'journal-kim';
    const key = await createKey(sub);
    expect((await revoke(sub, key.id)).statusCode).toBe(204);
    // A restore to before the revocation:
    await db.current.sql`UPDATE api_keys SET revoked_at = NULL WHERE id = ${key.id}`;

    // Act
    const entries = await readJournal(file);
    const first = await replayJournal(db.current.sql, entries);
    const again = await replayJournal(db.current.sql, entries);

    // Assess
    expect(entries).toEqual([expect.objectContaining({ kind: 'key_revoked', keyId: key.id, userSub: sub })]);
    expect(first).toEqual({ applied: 1, unchanged: 0, ignored: [], unresolved: [] });
    expect(again).toEqual({ applied: 0, unchanged: 1, ignored: [], unresolved: [] });
    const [row] = await db.current.sql`SELECT revoked_at FROM api_keys WHERE id = ${key.id}`;
    expect(row?.revoked_at).not.toBeNull();
  });

  it('when the journal cannot be written the request fails with 503 and changes nothing', async () => {
    // Prepare
    const sub = 'journal-lee';
    const key = await createKey(sub);
    useJournal(join(dir, 'no-such-folder', 'journal.jsonl'));

    // Act
    const res = await revoke(sub, key.id);

    // Assess
    expect(res.statusCode).toBe(503);
    expect(res.headers?.['content-type']).toMatch(/problem\+json/);
    const [row] = await db.current.sql`SELECT revoked_at FROM api_keys WHERE id = ${key.id}`;
    expect(row?.revoked_at).toBeNull();
  });

  it('invoice numbers and payments are journaled and re-applied: no number reused, no payment forgotten', async () => {
    // Prepare: an invoice issued and paid, then a restore to before both.
    const sub = 'journal-max';
    await usageLastMonth(sub);
    await closeMonths({ sql: db.current.sql, now: new Date() });
    const [invoice] = await db.current.sql<[{ id: string; number: string; period: string }]>`
      SELECT id::text, number, period::text FROM invoices WHERE user_sub = ${sub}`;
    const paid = await invoicePayment(
      apiEvent({
        method: 'POST',
        path: `/api/admin/invoices/${invoice.id}/payment`,
        token: await adminToken('ops'),
        pathParameters: { id: invoice.id },
        body: { reference: 'UTR-1' },
      }),
      lambdaContext(),
    );
    expect(paid.statusCode).toBe(200);
    await db.current
      .sql`UPDATE invoices SET status = 'issued', paid_at = NULL, payment_reference = NULL WHERE id = ${invoice.id}`;
    await db.current.sql`UPDATE invoice_counters SET last_number = 0 WHERE period = ${invoice.period}`;

    // Act
    const result = await replayJournal(db.current.sql, await readJournal(file));

    // Assess
    expect(result.unresolved).toEqual([]);
    const [after] = await db.current
      .sql`SELECT status, payment_reference FROM invoices WHERE id = ${invoice.id}`;
    expect(after).toEqual({ status: 'paid', payment_reference: 'UTR-1' });
    const [counter] = await db.current
      .sql`SELECT last_number FROM invoice_counters WHERE period = ${invoice.period}`;
    expect(Number(counter?.last_number)).toBeGreaterThanOrEqual(Number(invoice.number.slice(-6)));
  });

  it('a payment of an invoice the restore lost is left for an operator, named', async () => {
    const entry = {
      kind: 'invoice_paid' as const,
      at: new Date().toISOString(),
      invoiceId: crypto.randomUUID(),
      reference: 'UTR-LOST',
      paidAt: new Date().toISOString(),
    };
    const result = await replayJournal(db.current.sql, [entry]);
    expect(result.unresolved).toEqual([expect.stringContaining('UTR-LOST')]);
  });

  it('reading skips a torn last line (a crash mid-append) and refuses anything else unreadable', async () => {
    const good = {
      kind: 'key_revoked',
      at: new Date().toISOString(),
      keyId: crypto.randomUUID(),
      userSub: 'x',
    };
    await writeFile(file, `${JSON.stringify(good)}\n{"kind":"key_rev`);
    expect(await readJournal(file)).toEqual([good]);
    await writeFile(file, `{"kind":"nonsense"}\n${JSON.stringify(good)}\n`);
    await expect(readJournal(file)).rejects.toThrow(/line 1/);
    expect(await readFile(file, 'utf8')).toContain('nonsense');
  });

  it('npm run dr-replay-journal applies a journal file to DATABASE_URL and says what it did', async () => {
    // Prepare: a key revoked (journaled), then brought back by a "restore"; and an entry for a key
    // the restored database does not hold.
    const sub = 'journal-ned';
    const key = await createKey(sub);
    await revoke(sub, key.id);
    await db.current.sql`UPDATE api_keys SET revoked_at = NULL WHERE id = ${key.id}`;
    const lost = crypto.randomUUID();
    await appendFile(
      file,
      `${JSON.stringify({ kind: 'key_revoked', at: new Date().toISOString(), keyId: lost, userSub: sub })}\n`,
    );

    // Act
    const out = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'scripts/dr-replay-journal.ts', '--file', file],
      {
        cwd: join(import.meta.dirname, '../..'),
        env: { PATH: process.env.PATH ?? '', DATABASE_URL: db.current.url },
        timeout: 60_000,
      },
    );

    // Assess
    expect(out.stdout).toMatch(/2 entries, 1 applied, 0 already in effect, 1 ignored/);
    expect(out.stdout).toContain(`ignored: key ${lost} of ${sub}: not in the database`);
    const [row] = await db.current.sql`SELECT revoked_at FROM api_keys WHERE id = ${key.id}`;
    expect(row?.revoked_at).not.toBeNull();
  });
});
