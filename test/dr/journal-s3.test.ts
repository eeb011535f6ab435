/**
 * The journal in AWS (functions/platform/journal.ts `s3Journal`, `readS3Journal`): one object
 * per entry in the object-locked bucket, written before the change; read back in time order by
 * `npm run dr-replay-journal -- --bucket`. S3 is the one part mocked (aws-sdk-client-mock):
 * nothing here can run it; the database and the routes are real.
 */
import { createHash } from 'node:crypto';
import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { type JournalEntry, journal, readS3Journal, s3JournalKey } from '../../functions/platform/journal';
import { replayJournal } from '../../scripts/lib/dr/replay';
import { useTestDatabase } from '../helpers/db';
import { createKey, revoke } from '../helpers/journal';

const db = useTestDatabase();
const s3 = mockClient(S3Client);
const BUCKET = 'stockconsultant-test-journal';

function useBucket(bucket: string | undefined) {
  delete process.env.JOURNAL_FILE;
  if (bucket === undefined) delete process.env.JOURNAL_BUCKET;
  else process.env.JOURNAL_BUCKET = bucket;
  journal.reset();
}

const revokedAt = async (id: string) =>
  (await db.current.sql`SELECT revoked_at FROM api_keys WHERE id = ${id}`)[0]?.revoked_at;

/** What GetObject's streaming body offers the reader. */
const body = (text: string) =>
  ({ transformToString: async () => text }) as unknown as GetObjectCommandOutput['Body'];

beforeEach(() => {
  s3.reset();
  useBucket(BUCKET);
});
afterAll(() => {
  useBucket(undefined);
  s3.restore();
});

describe('the journal in an S3 bucket', () => {
  it('a key revocation writes one checksummed, never-overwriting object to the bucket before revoking', async () => {
    // Prepare
    s3.on(PutObjectCommand).resolves({});
    const sub = 's3-journal-amy';
    const key = await createKey(sub);

    // Act
    const res = await revoke(sub, key.id);

    // Assess
    expect(res.statusCode).toBe(204);
    expect(await revokedAt(key.id)).not.toBeNull();
    const calls = s3.commandCalls(PutObjectCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]?.args[0].input;
    expect(input?.Bucket).toBe(BUCKET);
    expect(input?.Key).toMatch(
      /^journal\/\d{4}\/\d{2}\/\d{2}\/\d{4}-\d{2}-\d{2}T[\d:.]+Z-[0-9a-f-]{36}\.json$/,
    );
    const text = input?.Body as string;
    expect(JSON.parse(text)).toMatchObject({ kind: 'key_revoked', keyId: key.id, userSub: sub });
    // Object lock refuses a PutObject without Content-MD5 or an x-amz-checksum.
    expect(input?.ChecksumAlgorithm).toBe('SHA256');
    expect(input?.ChecksumSHA256).toBe(createHash('sha256').update(text).digest('base64'));
    expect(input?.IfNoneMatch).toBe('*');
  });

  it('when S3 refuses the write the request fails with 503 and the key stays active', async () => {
    // Prepare
    s3.on(PutObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    const sub = 's3-journal-bob';
    const key = await createKey(sub);

    // Act
    const res = await revoke(sub, key.id);

    // Assess
    expect(res.statusCode).toBe(503);
    expect(res.headers?.['content-type']).toMatch(/problem\+json/);
    expect(res.headers?.['retry-after']).toBe('5');
    expect(await revokedAt(key.id)).toBeNull();
  });

  it('keys sort by time and two entries of one millisecond never share a key', () => {
    const at = new Date('2026-03-09T04:05:06.007Z');
    const a = s3JournalKey(at);
    expect(a.startsWith('journal/2026/03/09/2026-03-09T04:05:06.007Z-')).toBe(true);
    expect(s3JournalKey(at)).not.toBe(a);
    expect(s3JournalKey(new Date('2026-03-09T04:05:06.008Z')) > a).toBe(true);
  });

  it('both JOURNAL_FILE and JOURNAL_BUCKET is a configuration error, not a silent choice', () => {
    process.env.JOURNAL_FILE = '/tmp/journal.jsonl';
    journal.reset();
    expect(() => journal()).toThrow(/JOURNAL_FILE or JOURNAL_BUCKET/);
  });
});

describe('replay from the bucket', () => {
  it('reads every page of the listing and every object in key order, and re-applies them', async () => {
    // Prepare: a revoked key, brought back by a "restore"; the bucket lists in two pages.
    const sub = 's3-journal-cat';
    const key = await createKey(sub);
    await db.current.sql`INSERT INTO users (sub) VALUES (${sub}) ON CONFLICT DO NOTHING`;
    const early: JournalEntry = {
      kind: 'invoice_numbers_issued',
      at: '2026-03-01T00:30:00.000Z',
      period: '2026-02-01',
      lastNumber: 1,
      invoices: [],
    };
    const late: JournalEntry = {
      kind: 'key_revoked',
      at: '2026-03-02T10:00:00.000Z',
      keyId: key.id,
      userSub: sub,
    };
    const earlyKey = s3JournalKey(new Date(early.at));
    const lateKey = s3JournalKey(new Date(late.at));
    s3.on(ListObjectsV2Command, {
      Bucket: BUCKET,
      Prefix: 'journal/',
      ContinuationToken: undefined,
    }).resolves({
      Contents: [{ Key: lateKey }],
      IsTruncated: true,
      NextContinuationToken: 'page-2',
    });
    s3.on(ListObjectsV2Command, { Bucket: BUCKET, ContinuationToken: 'page-2' }).resolves({
      Contents: [{ Key: earlyKey }],
      IsTruncated: false,
    });
    s3.on(GetObjectCommand, { Bucket: BUCKET, Key: earlyKey }).resolves({
      Body: body(JSON.stringify(early)),
    });
    s3.on(GetObjectCommand, { Bucket: BUCKET, Key: lateKey }).resolves({ Body: body(JSON.stringify(late)) });

    // Act
    const entries = await readS3Journal(BUCKET, new S3Client({ region: 'ap-south-1' }));
    const result = await replayJournal(db.current.sql, entries);

    // Assess
    expect(entries).toEqual([early, late]);
    expect(s3.commandCalls(ListObjectsV2Command)).toHaveLength(2);
    expect(result.unresolved).toEqual([]);
    expect(await revokedAt(key.id)).not.toBeNull();
  });

  it('an object that is not a journal entry stops the replay, naming the object', async () => {
    const bad = s3JournalKey(new Date('2026-03-03T00:00:00.000Z'));
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: bad }], IsTruncated: false });
    s3.on(GetObjectCommand).resolves({ Body: body('{"kind":"nonsense"}') });

    await expect(readS3Journal(BUCKET, new S3Client({ region: 'ap-south-1' }))).rejects.toThrow(bad);
  });
});
