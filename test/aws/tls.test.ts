/**
 * The database client verifies the server's certificate: a server whose certificate no trusted
 * CA signed (here a self-signed one, as a man in the middle would present) is refused before
 * any credential is sent. postgres.js's `ssl: 'require'` would have carried on.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbConfig } from '../../functions/platform/config';
import { createSql, VERIFIED_TLS } from '../../functions/platform/db';

const dir = mkdtempSync(join(tmpdir(), 'tls-'));
let server: Server;
let port = 0;
let startupSeen = false;

beforeAll(async () => {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  const key = readFileSync(join(dir, 'key.pem'));
  const cert = readFileSync(join(dir, 'cert.pem'));
  // Answers PostgreSQL's SSLRequest with 'S', then speaks TLS with the self-signed certificate.
  server = createServer((socket) => {
    socket.once('data', () => {
      socket.write('S');
      const secure = new TLSSocket(socket, { isServer: true, key, cert });
      secure.on('data', () => {
        startupSeen = true; // only a client that accepted the certificate gets here
      });
      secure.on('error', () => {});
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('database TLS', () => {
  it('refuses a server certificate no trusted CA signed, before sending credentials', async () => {
    const sql = await createSql({
      kind: 'url',
      url: `postgres://app:secret@localhost:${port}/stocks`,
      maxConnections: 1,
      prepare: false,
      ssl: true,
    });
    await expect(sql`SELECT 1`).rejects.toThrow(/self[- ]signed certificate/);
    expect(startupSeen).toBe(false);
    await sql.end({ timeout: 1 });
  });

  it('is on, verified, for every AWS connection, and for DATABASE_URL with DB_SSL=true', () => {
    dbConfig.reset();
    expect(dbConfig({ DB_SECRET_ARN: 'arn:x', DB_HOST: 'proxy.internal' })).toMatchObject({ ssl: true });
    dbConfig.reset();
    expect(dbConfig({ DATABASE_URL: 'postgres://h/db', DB_SSL: 'true' })).toMatchObject({ ssl: true });
    dbConfig.reset();
    expect(VERIFIED_TLS).toEqual({ rejectUnauthorized: true });
  });
});
