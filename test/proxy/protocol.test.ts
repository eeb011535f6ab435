/**
 * The RDS Proxy stand-in's reading of the PostgreSQL v3 protocol (local/rds-proxy-protocol.ts):
 * startup packets, RDS Proxy's refusals, message framing across chunk boundaries, and each
 * cause of pinning from SPEC §7 (with the look-alikes that must not count).
 */
import { describe, expect, it } from 'vitest';
import {
  errorResponse,
  frontendFramer,
  parseMessage,
  pinCauses,
  queryText,
  readStartupPacket,
  refusal,
} from '../../local/rds-proxy-protocol';

function startup(parameters: Record<string, string>): Buffer {
  const body = Buffer.from(`${Object.entries(parameters).flat().join('\0')}\0\0`, 'utf8');
  const head = Buffer.alloc(8);
  head.writeInt32BE(8 + body.length, 0);
  head.writeInt32BE(196608, 4); // protocol 3.0
  return Buffer.concat([head, body]);
}
function message(type: string, body: string): Buffer {
  const b = Buffer.from(body, 'utf8');
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(4 + b.length, 1);
  return Buffer.concat([head, b]);
}
const query = (sql: string) => message('Q', `${sql}\0`);
const parse = (name: string, sql: string) => message('P', `${name}\0${sql}\0\0\0`);

describe('startup packets', () => {
  it('reads the parameters of a startup message, and waits for the whole packet', () => {
    const packet = startup({ user: 'stock_app', database: 'stocks', application_name: 'x' });
    expect(readStartupPacket(packet.subarray(0, 10))).toBeUndefined();
    expect(readStartupPacket(packet)).toEqual({
      kind: 'startup',
      length: packet.length,
      protocol: 196608,
      parameters: { user: 'stock_app', database: 'stocks', application_name: 'x' },
    });
  });

  it('recognises SSLRequest and CancelRequest', () => {
    const ssl = Buffer.alloc(8);
    ssl.writeInt32BE(8, 0);
    ssl.writeInt32BE(80877103, 4);
    expect(readStartupPacket(ssl)).toEqual({ kind: 'ssl', length: 8 });
    const cancel = Buffer.alloc(16);
    cancel.writeInt32BE(16, 0);
    cancel.writeInt32BE(80877102, 4);
    expect(readStartupPacket(cancel)).toEqual({ kind: 'cancel', length: 16 });
  });

  it('accepts exactly the parameters RDS Proxy documents', () => {
    expect(
      refusal({
        user: 'u',
        database: 'd',
        application_name: 'a',
        client_encoding: 'UTF8',
        DateStyle: 'ISO',
        TimeZone: 'UTC',
        extra_float_digits: '3',
      }),
    ).toBeUndefined();
  });

  it('refuses any other parameter, and `options`, with RDS Proxy’s words', () => {
    expect(refusal({ user: 'u', statement_timeout: '5000' })).toBe(
      'Feature not supported: RDS Proxy currently doesn’t support the option statement_timeout.',
    );
    expect(refusal({ user: 'u', idle_in_transaction_session_timeout: '1' })).toMatch(
      /doesn’t support the option idle_in_transaction_session_timeout/,
    );
    expect(refusal({ user: 'u', options: '-c search_path=x' })).toBe(
      'Feature not supported: RDS Proxy currently doesn’t support command-line options.',
    );
  });

  it('answers with a FATAL ErrorResponse a client can read', () => {
    const e = errorResponse('0A000', 'no');
    expect(e.toString('latin1', 0, 1)).toBe('E');
    expect(e.readInt32BE(1)).toBe(e.length - 1);
    expect(e.subarray(5).toString('utf8')).toBe('SFATAL\0VFATAL\0C0A000\0Mno\0\0');
  });
});

describe('framing', () => {
  it('hands over Q and P bodies whole, however the stream is cut, and skips the rest', () => {
    const stream = Buffer.concat([
      parse('', 'SELECT $1'),
      message('B', 'x'.repeat(5000)), // a large Bind, skipped
      message('E', '\0\0\0\0\0'),
      message('S', ''),
      query('SELECT 1'),
    ]);
    for (const size of [1, 3, 7, 64, 4096, stream.length]) {
      const seen: string[] = [];
      const push = frontendFramer('QP', (type, body) =>
        seen.push(type === 'Q' ? `Q:${queryText(body)}` : `P:${JSON.stringify(parseMessage(body))}`),
      );
      for (let i = 0; i < stream.length; i += size) push(stream.subarray(i, i + size));
      expect(seen, `chunks of ${size}`).toEqual(['P:{"name":"","query":"SELECT $1"}', 'Q:SELECT 1']);
    }
  });
});

describe('pin causes (SPEC §7)', () => {
  it.each([
    ['SET search_path = x', ['set']],
    ['set statement_timeout to 0', ['set']],
    ['SET SESSION timezone = UTC', ['set']],
    ['PREPARE q AS SELECT 1', ['prepare']],
    ['LISTEN prices', ['listen']],
    ['SELECT pg_advisory_lock(42)', ['advisory-lock']],
    ['select pg_try_advisory_lock(1), 2', ['advisory-lock']],
    ['SELECT pg_advisory_lock_shared(1)', ['advisory-lock']],
    ['CREATE TEMP TABLE t (i int)', ['temp-table']],
    ['create local temporary table t as select 1', ['temp-table']],
    ['SELECT 1 INTO TEMP t', ['temp-table']],
    ['DECLARE c CURSOR WITH HOLD FOR SELECT 1', ['cursor-with-hold']],
    ['BEGIN; SET LOCAL x = 1; SET y = 2; COMMIT', ['set']],
    ['DO $$ BEGIN PERFORM pg_advisory_lock(1); END $$', ['advisory-lock']],
  ])('%s pins', (sql, causes) => {
    expect(pinCauses(sql)).toEqual(causes);
  });

  it.each([
    'SET LOCAL statement_timeout = 0',
    'SET TRANSACTION ISOLATION LEVEL SERIALIZABLE',
    'SET CONSTRAINTS ALL DEFERRED',
    'SELECT pg_advisory_xact_lock(1)',
    'SELECT pg_try_advisory_xact_lock(1)',
    "SELECT 'SET x = 1; LISTEN y'",
    '-- SET x = 1\nSELECT 1',
    'DECLARE c CURSOR FOR SELECT 1',
    'UPDATE t SET x = 1',
    'CREATE TABLE temp (i int)',
    'ALTER ROLE stock_app SET statement_timeout = 5000',
  ])('%s does not', (sql) => {
    expect(pinCauses(sql)).toEqual([]);
  });
});
