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
 * In AWS it is an S3 bucket with object lock (lib/constructs/dr-journal.ts); its writer needs
 * `@aws-sdk/client-s3`, not yet a dependency, so functions there run without a journal until it
 * is added (docs/operations.md says so). Without `JOURNAL_FILE` the journal is off.
 */
import { open, readFile } from 'node:fs/promises';
import { z } from 'zod';
import { optionalString, parse, section } from './config';
import { serviceUnavailable } from './errors';

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
export function fileJournal(path: string): Journal {
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
        // A 503 (problem+json) to a request: nothing was changed, a retry may succeed.
        throw serviceUnavailable(
          'The change could not be recorded durably; nothing was changed. Retry shortly',
          5,
          error,
        );
      }
    },
  };
}

const off: Journal = { append: async () => {} };

const journalConfig = section((env) => parse(z.object({ JOURNAL_FILE: optionalString }), env, 'journal'));

/** The container's journal: the file of `JOURNAL_FILE`, else none. */
export function journal(): Journal {
  const file = journalConfig().JOURNAL_FILE;
  return file ? fileJournal(file) : off;
}
journal.reset = () => journalConfig.reset();

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
