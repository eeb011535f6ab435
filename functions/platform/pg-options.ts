/**
 * postgres.js options every client of ours shares (the functions', `npm start`'s and the chaos
 * tests' own), and the array types they need once the driver no longer looks them up.
 *
 * Why `fetch_types: false`: by default postgres.js runs a `pg_catalog.pg_type` query as the
 * first statement of every new connection to learn the array types, and drops that query's
 * promise (postgres.js 3.4.9, `fetchArrayTypes` in `ReadyForQuery`; porsager/postgres#1192,
 * #1205, #1223, all open). When the server dies while a connection is starting (PostgreSQL
 * killed, a failover) that query fails and its rejection is unhandled, which crashes a process
 * although every real query fails and is retried on its own terms. With the lookup off there
 * is no dropped promise, and each new connection saves a round trip too.
 *
 * What it changes: the lookup is what teaches the driver to send a JS array as a parameter and
 * to parse an array column; without it an array parameter is sent as `a,b` ("malformed array
 * literal", porsager/postgres#1164) and an array column arrives as its text `{a,b}`. We use no
 * custom types, so the built-in array types we send and read are registered here with their
 * fixed OIDs (PostgreSQL's pg_type.dat; built-in OIDs never change). Another array type would
 * fail loudly (the server refuses the literal), never silently. Send an array as a plain value
 * with a cast (`${ids}::text[]`, as every store does), not with `sql.array()`, whose element to
 * array type map the lookup filled; elements are sent as text (a Date as its ISO string).
 * One more trap of postgres.js 3.4.9 without the lookup: `sql.reserve()` never resolves when it
 * has to open a connection itself (ReadyForQuery drops a reserving first query), so reserve only
 * from a client that already holds an open connection, or use `sql.begin` (no function reserves).
 *
 * And one we patch (patches/postgres+3.4.9.patch, applied by `patch-package` on every npm install
 * and so in every bundle): a small write is deferred with setImmediate, and when the connection
 * closes first the deferred write dereferences the dropped socket and throws an uncaughtException
 * (porsager/postgres#1154, #1208; the fix of PR #1209, not yet released). Behind RDS Proxy with
 * `prepare: false`, where closes are routine, that ends a Lambda container; here it failed a
 * test run once (the outage test kills PostgreSQL). The patch fails the connection's queries with
 * CONNECTION_CLOSED instead, which every caller already handles, and clears the deferred write on
 * close. An upgrade of postgres.js whose code moved makes `npm ci` fail until the patch is redone
 * or dropped.
 */
import type postgres from 'postgres';

/** The text of a PostgreSQL array literal: every element quoted and escaped, nulls as NULL. */
function serializeArray(value: unknown): string {
  if (!Array.isArray(value)) throw new TypeError('an array parameter must be an array');
  return `{${value.map(element).join(',')}}`;
}

function element(value: unknown): string {
  if (value === null) return 'NULL';
  if (Array.isArray(value)) return serializeArray(value);
  let text: string;
  if (value instanceof Date) text = value.toISOString();
  else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint')
    text = String(value);
  else if (typeof value === 'boolean') text = value ? 't' : 'f';
  else throw new TypeError(`an array element must be a string, number, bigint, boolean, Date or null`);
  return `"${text.replace(/[\\"]/g, '\\$&')}"`;
}

/**
 * The elements of a one-dimensional array's text output (`{a,"b c",NULL}`), as strings or null.
 * PostgreSQL quotes an element that is empty, is `NULL`, or holds a delimiter, brace, quote,
 * backslash or white space, and escapes quotes and backslashes inside quotes.
 */
function parseArrayText(text: string): Array<string | null> {
  if (text[0] !== '{' || text[text.length - 1] !== '}')
    throw new SyntaxError(`not an array literal: ${text}`);
  const out: Array<string | null> = [];
  if (text.length === 2) return out;
  let i = 1;
  for (;;) {
    if (text[i] === '{') throw new SyntaxError('multi-dimensional arrays are not read');
    let value: string | null;
    if (text[i] === '"') {
      value = '';
      for (i++; text[i] !== '"'; i++) {
        if (i >= text.length) throw new SyntaxError(`unterminated element: ${text}`);
        if (text[i] === '\\') i++;
        value += text[i];
      }
      i++;
    } else {
      const end = text.slice(i).search(/[,}]/);
      if (end < 0) throw new SyntaxError(`unterminated array: ${text}`);
      const raw = text.slice(i, i + end);
      value = raw === 'NULL' ? null : raw;
      i += end;
    }
    out.push(value);
    if (text[i] === '}') return out;
    if (text[i] !== ',') throw new SyntaxError(`unexpected ${text[i]} in ${text}`);
    i++;
  }
}

/** A registered array type: elements parsed as postgres.js parses its scalars by default. */
function arrayType(oid: number, parse: (element: string) => unknown): postgres.PostgresType {
  return {
    to: oid,
    from: [oid],
    serialize: serializeArray,
    parse: (text: string) => parseArrayText(text).map((e) => (e === null ? null : parse(e))),
  };
}

const asString = (e: string) => e;
const asNumber = (e: string) => Number(e);

/**
 * Built-in array types by element: int8 and numeric stay strings and dates become Date, as
 * postgres.js's scalar defaults do, so a value reads alike in an array and on its own.
 */
const ARRAY_TYPES: Record<string, postgres.PostgresType> = {
  boolArray: arrayType(1000, (e) => e === 't'),
  int2Array: arrayType(1005, asNumber),
  int4Array: arrayType(1007, asNumber),
  textArray: arrayType(1009, asString),
  varcharArray: arrayType(1015, asString),
  int8Array: arrayType(1016, asString),
  float8Array: arrayType(1022, asNumber),
  dateArray: arrayType(1182, (e) => new Date(e)),
  timestamptzArray: arrayType(1185, (e) => new Date(e)),
  numericArray: arrayType(1231, asString),
  uuidArray: arrayType(2951, asString),
};

/**
 * Spread into every `postgres(…)` call: no per-connection type lookup, the array types above,
 * notices quiet. `types` only adds parsers and serializers; it changes no scalar's handling.
 */
export const PG_CLIENT_DEFAULTS = {
  fetch_types: false,
  types: ARRAY_TYPES,
  onnotice: () => {},
} as const;
