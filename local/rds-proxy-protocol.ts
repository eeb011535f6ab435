/**
 * The parts of the PostgreSQL v3 frontend protocol the RDS Proxy stand-in reads
 * (local/rds-proxy.ts): the startup packet, the framing of the messages that follow it, the
 * SQL text of simple queries (`Q`) and of `Parse` (`P`), and the ErrorResponse it sends back.
 * Pure functions over buffers, so each rule is unit-tested without sockets.
 */

/**
 * Startup parameters RDS Proxy accepts for PostgreSQL (SPEC §7; RDS User Guide, "Connecting to
 * a database through RDS Proxy"). Any other one, and `options`, is refused.
 */
const ALLOWED_STARTUP_PARAMETERS: ReadonlySet<string> = new Set([
  'user',
  'database',
  'replication',
  'application_name',
  'client_encoding',
  'DateStyle',
  'TimeZone',
  'extra_float_digits',
]);

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;

export type StartupPacket =
  | { kind: 'ssl' | 'gssenc' | 'cancel'; length: number }
  | { kind: 'startup'; length: number; protocol: number; parameters: Record<string, string> }
  | { kind: 'invalid'; length: number };

/** The first packet in `buf` (no type byte: int32 length, int32 code), or undefined if incomplete. */
export function readStartupPacket(buf: Buffer): StartupPacket | undefined {
  if (buf.length < 8) return undefined;
  const length = buf.readInt32BE(0);
  if (length < 8 || length > 10_000) return { kind: 'invalid', length: buf.length };
  if (buf.length < length) return undefined;
  const code = buf.readInt32BE(4);
  if (code === SSL_REQUEST) return { kind: 'ssl', length };
  if (code === GSSENC_REQUEST) return { kind: 'gssenc', length };
  if (code === CANCEL_REQUEST) return { kind: 'cancel', length };
  if (code >> 16 !== 3) return { kind: 'invalid', length };
  // key\0value\0 … \0
  const fields = buf.toString('utf8', 8, length - 1).split('\0');
  const parameters: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) parameters[fields[i] as string] = fields[i + 1] as string;
  return { kind: 'startup', length, protocol: code, parameters };
}

/** The message RDS Proxy answers with, or undefined when the parameters are acceptable. */
export function refusal(parameters: Record<string, string>): string | undefined {
  // Wording of RDS Proxy's FATAL 0A000 as users have reported it (psycopg2 #1577, SimplySql #66).
  if ('options' in parameters) {
    return 'Feature not supported: RDS Proxy currently doesn’t support command-line options.';
  }
  const other = Object.keys(parameters).find((k) => !ALLOWED_STARTUP_PARAMETERS.has(k));
  return other
    ? `Feature not supported: RDS Proxy currently doesn’t support the option ${other}.`
    : undefined;
}

/** A backend ErrorResponse ('E') with severity, SQLSTATE and message. */
export function errorResponse(code: string, message: string, severity = 'FATAL'): Buffer {
  const fields = [`S${severity}`, `V${severity}`, `C${code}`, `M${message}`]
    .map((f) => Buffer.from(`${f}\0`, 'utf8'))
    .concat(Buffer.from([0]));
  const body = Buffer.concat(fields);
  const head = Buffer.alloc(5);
  head.write('E', 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

/**
 * Splits the client's byte stream into messages (type byte, int32 length including itself,
 * body) and hands the bodies of the types asked for to `onMessage`; other messages (Bind,
 * Execute, COPY data…) are skipped without being copied.
 */
export function frontendFramer(types: string, onMessage: (type: string, body: Buffer) => void) {
  const wanted = new Set([...types].map((t) => t.charCodeAt(0)));
  let pending = Buffer.alloc(0);
  let skip = 0;
  return (chunk: Buffer) => {
    let buf = chunk;
    if (skip > 0) {
      const n = Math.min(skip, buf.length);
      skip -= n;
      buf = buf.subarray(n);
    }
    if (pending.length) buf = Buffer.concat([pending, buf]);
    pending = Buffer.alloc(0);
    while (buf.length >= 5) {
      const type = buf[0] as number;
      const total = 1 + buf.readInt32BE(1);
      if (wanted.has(type)) {
        if (buf.length < total) break;
        onMessage(String.fromCharCode(type), buf.subarray(5, total));
      } else if (buf.length < total) {
        skip = total - buf.length;
        buf = Buffer.alloc(0);
        break;
      }
      buf = buf.subarray(total);
    }
    if (buf.length) pending = Buffer.from(buf);
  };
}

/** The query text of a simple Query body. */
export function queryText(body: Buffer): string {
  return body.toString('utf8', 0, Math.max(0, body.indexOf(0)));
}

/** A Parse body: statement name ('' for the unnamed statement) and query text. */
export function parseMessage(body: Buffer): { name: string; query: string } {
  const nameEnd = body.indexOf(0);
  const queryEnd = body.indexOf(0, nameEnd + 1);
  return { name: body.toString('utf8', 0, nameEnd), query: body.toString('utf8', nameEnd + 1, queryEnd) };
}

/** What pins an RDS Proxy session (SPEC §7, "Avoiding pinning an RDS Proxy"). */
export type PinCause =
  | 'set'
  | 'prepare'
  | 'named-statement'
  | 'listen'
  | 'advisory-lock'
  | 'temp-table'
  | 'cursor-with-hold';

/**
 * SQL with comments, string literals and quoted identifiers blanked out, so a keyword inside a
 * literal (`'SET x'`) is not read as a statement. Dollar-quoted bodies are kept: a DO block or
 * function body that runs `pg_advisory_lock` or `SET` pins the session all the same.
 */
function blankLiterals(sql: string): string {
  return sql.replace(/--[^\n]*|\/\*[\s\S]*?\*\/|'(?:[^']|'')*'|"(?:[^"]|"")*"/g, ' ');
}

const PIN_RULES: Array<[PinCause, RegExp]> = [
  // Session SET; not SET LOCAL, nor the transaction-scoped SET TRANSACTION / SET CONSTRAINTS.
  ['set', /^set\s+(?!local\b|transaction\b|constraints\b)/i],
  ['prepare', /^prepare\s/i],
  ['listen', /^listen\s/i],
  // pg_advisory_lock(_shared) and pg_try_…: session locks. The _xact_ variants end with the
  // transaction and do not pin.
  ['advisory-lock', /\bpg_(?:try_)?advisory_lock(?:_shared)?\s*\(/i],
  [
    'temp-table',
    /^create\s+(?:(?:global|local)\s+)?temp(?:orary)?\s+(?:table|view|sequence)\b|^select\b[\s\S]*\binto\s+temp(?:orary)?\b/i,
  ],
  ['cursor-with-hold', /^declare\b[\s\S]*\bwith\s+hold\b/i],
];

/** The pin causes in one query text (possibly several statements separated by `;`). */
export function pinCauses(sql: string): PinCause[] {
  const causes: PinCause[] = [];
  for (const statement of blankLiterals(sql).split(';')) {
    const s = statement.trim();
    if (!s) continue;
    for (const [cause, rule] of PIN_RULES) if (rule.test(s)) causes.push(cause);
  }
  return causes;
}
