/**
 * The journal holds only what happened (functions/key-revoke.ts, functions/analysis-delete.ts):
 * the routes check that the key or analysis is the caller's and still live before they journal,
 * so a request for an unknown or foreign id, or a repeat, leaves no entry (in AWS an entry is
 * object-locked for 35 days). Two requests racing may journal one change twice; replay is
 * idempotent, and it ignores, and names, entries whose ids the restored database does not hold.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type JournalEntry, readJournal } from '../../functions/platform/journal';
import { replayJournal } from '../../scripts/lib/dr/replay';
import { useTestDatabase } from '../helpers/db';
import { createKey, deleteAnalysis, insertAnalysis, revoke, useJournal } from '../helpers/journal';

const db = useTestDatabase();
let dir: string;
let file: string;

// A v4 uuid, and one that pathId accepts (a GUID) but is no RFC 9562 uuid: neither exists.
const UNKNOWN_IDS = () => [crypto.randomUUID(), '12345678-1234-1234-0234-123456789abc'];

const revokedAt = async (id: string) =>
  (await db.current.sql`SELECT revoked_at FROM api_keys WHERE id = ${id}`)[0]?.revoked_at;
const deletedAt = async (id: string) =>
  (await db.current.sql`SELECT deleted_at FROM analyses WHERE id = ${id}`)[0]?.deleted_at;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'journal-checks-'));
});
afterAll(async () => {
  useJournal(undefined);
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  file = join(dir, `${crypto.randomUUID()}.jsonl`);
  useJournal(file);
});

describe('DELETE /api/keys/{id} journals only a revocation that happens', () => {
  it('an unknown id and another user’s key are 404 and write no entry; the key stays active', async () => {
    const owner = await createKey('checks-key-owner');

    const statuses = [];
    for (const id of UNKNOWN_IDS()) statuses.push((await revoke('checks-key-other', id)).statusCode);
    statuses.push((await revoke('checks-key-other', owner.id)).statusCode);

    expect(statuses).toEqual([404, 404, 404]);
    expect(await readJournal(file)).toEqual([]);
    expect(await revokedAt(owner.id)).toBeNull();
  });

  it('the owner’s revocation journals once; revoking again is 204 and writes nothing more', async () => {
    const sub = 'checks-key-again';
    const key = await createKey(sub);

    expect((await revoke(sub, key.id)).statusCode).toBe(204);
    expect((await revoke(sub, key.id)).statusCode).toBe(204);

    expect(await readJournal(file)).toEqual([
      expect.objectContaining({ kind: 'key_revoked', keyId: key.id, userSub: sub }),
    ]);
    expect(await revokedAt(key.id)).not.toBeNull();
  });
});

describe('DELETE /api/analyses/{id} journals only a deletion that happens', () => {
  it('an unknown id, another user’s analysis and a deleted one are 404 and write no entry', async () => {
    const theirs = await insertAnalysis(db.current.sql, 'checks-an-owner');
    const mine = await insertAnalysis(db.current.sql, 'checks-an-other');
    await db.current.sql`UPDATE analyses SET deleted_at = now(), request_hash = NULL, portfolio = NULL,
                           portfolio_value_paise = NULL, response = NULL WHERE id = ${mine}`;

    const statuses = [];
    for (const id of [...UNKNOWN_IDS(), theirs, mine])
      statuses.push((await deleteAnalysis('checks-an-other', id)).statusCode);

    expect(statuses).toEqual([404, 404, 404, 404]);
    expect(await readJournal(file)).toEqual([]);
    expect(await deletedAt(theirs)).toBeNull();
  });

  it('the owner’s deletion journals, then erases', async () => {
    const sub = 'checks-an-del';
    const id = await insertAnalysis(db.current.sql, sub);

    expect((await deleteAnalysis(sub, id)).statusCode).toBe(204);

    expect(await readJournal(file)).toEqual([
      expect.objectContaining({ kind: 'analysis_deleted', analysisId: id, userSub: sub }),
    ]);
    expect(await deletedAt(id)).not.toBeNull();
  });

  it('when the journal cannot be written the deletion is 503 and the analysis stays', async () => {
    const sub = 'checks-an-503';
    const id = await insertAnalysis(db.current.sql, sub);
    useJournal(join(dir, 'no-such-folder', 'journal.jsonl'));

    const res = await deleteAnalysis(sub, id);

    expect(res.statusCode).toBe(503);
    expect(res.headers?.['content-type']).toMatch(/problem\+json/);
    expect(await deletedAt(id)).toBeNull();
  });
});

describe('two requests at once, then a restore and a replay', () => {
  it('a revocation and a deletion raced twice each: every entry is a real change, replay restores it once', async () => {
    // Prepare
    const sub = 'checks-race';
    const key = await createKey(sub);
    const analysis = await insertAnalysis(db.current.sql, sub);

    // Act: both requests at once, for each.
    const revokes = await Promise.all([revoke(sub, key.id), revoke(sub, key.id)]);
    const deletes = await Promise.all([deleteAnalysis(sub, analysis), deleteAnalysis(sub, analysis)]);

    // Assess: revoking is idempotent (204 twice); one deletion wins, the other finds it gone.
    expect(revokes.map((r) => r.statusCode)).toEqual([204, 204]);
    expect(deletes.map((r) => r.statusCode).filter((s) => s === 204)).toHaveLength(1);
    const journaled = await readJournal(file);
    // One entry or two per change, depending on who passed the check first; never a foreign one.
    for (const e of journaled)
      expect(e).toMatchObject(
        e.kind === 'key_revoked' ? { keyId: key.id, userSub: sub } : { analysisId: analysis },
      );
    // Whatever the interleaving, replay below must cope with the same change journaled twice.
    const entries: JournalEntry[] = [...journaled, ...journaled];

    // A restore to before both, then the replay, twice.
    await db.current.sql`UPDATE api_keys SET revoked_at = NULL WHERE id = ${key.id}`;
    await db.current.sql`UPDATE analyses SET deleted_at = NULL, response = '{}', portfolio = '[]',
                           portfolio_value_paise = 100000, request_hash = repeat('0', 64) WHERE id = ${analysis}`;
    const first = await replayJournal(db.current.sql, entries);
    const again = await replayJournal(db.current.sql, entries);

    expect(first).toEqual({ applied: 2, unchanged: entries.length - 2, ignored: [], unresolved: [] });
    expect(again).toEqual({ applied: 0, unchanged: entries.length, ignored: [], unresolved: [] });
    expect(await revokedAt(key.id)).not.toBeNull();
    expect(await deletedAt(analysis)).not.toBeNull();
  });
});

describe('replay of entries the restored database cannot match', () => {
  it('ignores, and names, an unknown id or an id of another user, and changes nothing', async () => {
    // Prepare: a key and an analysis of one user; entries naming them for another, and unknown ids.
    const key = await createKey('checks-replay-owner');
    const analysis = await insertAnalysis(db.current.sql, 'checks-replay-owner');
    const at = new Date().toISOString();
    const [lostKey, lostAnalysis] = [crypto.randomUUID(), crypto.randomUUID()];
    const entries: JournalEntry[] = [
      { kind: 'key_revoked', at, keyId: lostKey, userSub: 'checks-replay-x' },
      { kind: 'key_revoked', at, keyId: key.id, userSub: 'checks-replay-x' },
      { kind: 'analysis_deleted', at, analysisId: lostAnalysis, userSub: 'checks-replay-x' },
      { kind: 'analysis_deleted', at, analysisId: analysis, userSub: 'checks-replay-x' },
    ];

    // Act
    const result = await replayJournal(db.current.sql, entries);

    // Assess
    expect(result).toEqual({
      applied: 0,
      unchanged: 0,
      ignored: [
        `key ${lostKey} of checks-replay-x: not in the database, nothing to undo`,
        `key ${key.id}: belongs to another user than the entry's checks-replay-x, left alone`,
        `analysis ${lostAnalysis} of checks-replay-x: not in the database, nothing to undo`,
        `analysis ${analysis}: belongs to another user than the entry's checks-replay-x, left alone`,
      ],
      unresolved: [],
    });
    expect(await revokedAt(key.id)).toBeNull();
    expect(await deletedAt(analysis)).toBeNull();
  });
});
