/**
 * The disaster-recovery journal (SPEC §13, docs/operations.md "What a restore must not undo"):
 * an append-only record, outside the database, of the changes a point-in-time restore must not
 * undo — key revocations, analysis deletions, payments, invoice numbers issued. After a restore
 * `npm run dr-replay-journal` applies it again (scripts/lib/dr/replay.ts).
 *
 * Written FIRST, before the change it records commits (write-ahead): a request whose journal
 * write fails fails (503 through the usual error mapping) and changes nothing, so no change
 * can exist that the journal missed. The reverse — a journaled change whose database write then
 * failed — is harmless: every entry is re-applied only under the same conditions the request
 * checked (the key is the user's and not yet revoked, the invoice exists and is unpaid, …), and
 * applying an entry twice changes nothing. An invoice number journaled but never committed is
 * a gap in the numbering, never a reuse.
 *
 * Locally (and in the drill) the journal is a JSON-lines file (`JOURNAL_FILE`, `npm start`
 * uses `.local/journal.jsonl`), appended with O_APPEND and fsynced before the request goes on.
 * In AWS it is the stage's object-locked S3 bucket (`JOURNAL_BUCKET`, lib/constructs/dr-journal.ts):
 * one object per entry, under a key that sorts by time and never collides. Without either
 * setting the journal is off (tests that do not exercise it); both at once is a config error.
 */
import { createHash, randomUUID } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { optionalString, parse, section } from './config';
import { serviceUnavailable } from './errors';
import { JOURNAL_PREFIX } from './names';

const Iso = z.string().datetime({ offset: true });

export const JournalEntry = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('key_revoked'), at: Iso, keyId: z.string().uuid(), userSub: z.string() }),
  z.object({
    kind: z.literal('analysis_deleted'),
    at: Iso,
    analysisId: z.string().uuid(),
    userSub: z.string(),
  }),
  z.object({
    kind: z.literal('invoice_paid'),
    at: Iso,
    invoiceId: z.string().uuid(),
    reference: z.string(),
    paidAt: Iso,
  }),
  z.object({
    kind: z.literal('invoice_numbers_issued'),
    at: Iso,
    /** The month, as its first day. */
    period: z.string().regex(/^\d{4}-\d{2}-01$/),
    /** The month's counter after this issue: no number up to it may be handed out again. */
    lastNumber: z.number().int().nonnegative(),
    invoices: z.array(z.object({ id: z.string().uuid(), number: z.string(), userSub: z.string() })),
  }),
]);
export type JournalEntry = z.infer<typeof JournalEntry>;

export interface Journal {
  /** Durably append `entry`; throws when it could not (the caller then must not change anything). */
  append(entry: JournalEntry): Promise<void>;
}

/** A JSON-lines file, appended and fsynced per entry. */
function fileJournal(path: string): Journal {
  return {
    async append(entry) {
      const line = `${JSON.stringify(JournalEntry.parse(entry))}\n`;
      try {
        const file = await open(path, 'a', 0o600);
        try {
          await file.appendFile(line, 'utf8');
          await file.sync();
        } finally {
          await file.close();
        }
      } catch (error) {
        throw notRecorded(error);
      }
    },
  };
}

// A 503 (problem+json) to a request: nothing was changed, a retry may succeed.
const notRecorded = (cause: unknown) =>
  serviceUnavailable(
    'The change could not be recorded durably; nothing was changed. Retry shortly',
    5,
    cause,
  );

/**
 * `journal/YYYY/MM/DD/<iso>-<uuid>.json`: listing the bucket in key order is time order (to the
 * millisecond; entries of one millisecond are independent requests, any order is right), and
 * the uuid keeps two writers of one millisecond apart.
 */
export function s3JournalKey(at: Date, id: string = randomUUID()): string {
  const iso = at.toISOString();
  return `${JOURNAL_PREFIX}${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso}-${id}.json`;
}

/**
 * One object per entry in an object-locked bucket. The SHA-256 is computed here and sent as
 * x-amz-checksum-sha256: S3 refuses a PutObject under object lock without Content-MD5 or an
 * x-amz-checksum header, and setting it ourselves does not depend on the SDK's default
 * (`AWS_REQUEST_CHECKSUM_CALCULATION=WHEN_REQUIRED` would turn that off). `IfNoneMatch: '*'`:
 * an entry is never overwritten, even by a key collision.
 */
export function s3Journal(bucket: string, client: S3Client, now: () => Date = () => new Date()): Journal {
  return {
    async append(entry) {
      const body = JSON.stringify(JournalEntry.parse(entry));
      try {
        await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: s3JournalKey(now()),
            Body: body,
            ContentType: 'application/json',
            ChecksumAlgorithm: 'SHA256',
            ChecksumSHA256: createHash('sha256').update(body, 'utf8').digest('base64'),
            IfNoneMatch: '*',
          }),
        );
      } catch (error) {
        throw notRecorded(error);
      }
    },
  };
}

const off: Journal = { append: async () => {} };

const journalConfig = section((env) =>
  parse(
    z
      .object({ JOURNAL_FILE: optionalString, JOURNAL_BUCKET: optionalString })
      .refine((c) => !(c.JOURNAL_FILE && c.JOURNAL_BUCKET), 'set JOURNAL_FILE or JOURNAL_BUCKET, not both'),
    env,
    'journal',
  ),
);

let sharedClient: S3Client | undefined;

/** The container's journal: the bucket of `JOURNAL_BUCKET`, the file of `JOURNAL_FILE`, else none. */
export function journal(): Journal {
  const { JOURNAL_FILE: file, JOURNAL_BUCKET: bucket } = journalConfig();
  if (bucket) {
    sharedClient ??= new S3Client({});
    return s3Journal(bucket, sharedClient);
  }
  return file ? fileJournal(file) : off;
}
journal.reset = () => {
  journalConfig.reset();
  sharedClient = undefined;
};

/**
 * Every entry of a journal file, in order. A torn last line (a crash mid-append: the request
 * failed and changed nothing) is skipped; any other unreadable line throws.
 */
export async function readJournal(path: string): Promise<JournalEntry[]> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  const lines = text.split('\n');
  if (!text.endsWith('\n')) lines.pop();
  return lines
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      try {
        return JournalEntry.parse(JSON.parse(l));
      } catch (error) {
        throw new Error(`journal line ${i + 1} is not a journal entry: ${(error as Error).message}`);
      }
    });
}

/**
 * Every entry of a journal bucket, in key order (= time order, see s3JournalKey): ListObjectsV2
 * page by page (it lists in UTF-8 key order), then each object. Any unreadable object throws:
 * an object exists only once S3 accepted it whole, so there is no torn entry to skip.
 */
export async function readS3Journal(bucket: string, s3: S3Client): Promise<JournalEntry[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: JOURNAL_PREFIX, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  keys.sort();
  const entries: JournalEntry[] = [];
  for (const key of keys) {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const text = (await object.Body?.transformToString('utf8')) ?? '';
    try {
      entries.push(JournalEntry.parse(JSON.parse(text)));
    } catch (error) {
      throw new Error(`journal object ${key} is not a journal entry: ${(error as Error).message}`);
    }
  }
  return entries;
}
