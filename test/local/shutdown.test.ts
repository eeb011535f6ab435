/**
 * Chaos on the whole local stack (in this process): PostgreSQL is killed while it runs, ticks
 * arrive during the outage, the stack is stopped and started again.
 * - Ctrl-C must end every part promptly even with the database dead: before, the stop waited
 *   15 s for a server that would never remove its pid file. Bounded by the test's own timeout.
 * - None of those ticks may be lost: before, the poller gave up after 3 retries and moved its
 *   checkpoint past them, so the restart applied 0 of 30.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { PG_CLIENT_DEFAULTS } from '../../functions/platform/pg-options';
import { kinesisClient } from '../../local/kinesis';
import { freePort, withFreePorts } from '../../local/ports';
import { startLocalStack } from '../../local/stack';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

const refuses = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });

/** Rejects if `work` has not settled within `ms`. */
function bounded<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    work,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`${what} did not end within ${ms} ms`)), ms),
    ),
  ]);
}

describe('stopping the local stack', () => {
  it('stops within 5 s after PostgreSQL was killed, and applies the ticks of the outage after a restart', async () => {
    // Prepare: a running stack whose database then dies (SIGKILL leaves its pid file behind).
    const dir = await mkdtemp(join(tmpdir(), 'shutdown-'));
    await chmod(dir, 0o755);
    const base = {
      dir,
      stream: 'price-ticks',
      seedFile: null,
      webDist: null,
      webDevPort: await freePort(),
      log: () => {},
    };
    // On other ports if one found free is taken before the stack binds it; the restart reuses them.
    let settings = { ...base, port: 0, kinesisPort: 0, pgPort: 0 };
    let stack = await withFreePorts(3, (port, kinesisPort, pgPort) => {
      settings = { ...base, port, kinesisPort, pgPort };
      return startLocalStack(settings);
    });
    const ports = settings;
    try {
      const pidFile = join(dir, 'pgdata', 'postmaster.pid');
      const pid = Number((await readFile(pidFile, 'utf8')).split('\n', 1)[0]);
      process.kill(pid, 'SIGKILL');
      for (let i = 0; i < 200 && alive(pid); i++) await new Promise((r) => setTimeout(r, 25));
      expect(alive(pid)).toBe(false);
      expect(existsSync(pidFile)).toBe(true);
      // 30 ticks the consumer now fails on: the poller is retrying when the stop comes.
      const client = kinesisClient(stack.kinesisEndpoint);
      await client.send(
        new PutRecordsCommand({
          StreamName: 'price-ticks',
          Records: Array.from({ length: 30 }, (_, i) => ({
            Data: Buffer.from(JSON.stringify({ symbol: `DOWN${i}`, price: 10 + i })),
            PartitionKey: `DOWN${i}`,
          })),
        }),
      );
      client.destroy();
      await new Promise((r) => setTimeout(r, 500));

      // Act / Assess: the stop resolves within the promised 5 s, and every port is closed.
      await bounded(stack.stop(), 5_000, 'stack.stop()');
      // A part whose stop outran its budget (a loaded machine) may release its port a moment later.
      for (const port of [ports.port, ports.kinesisPort]) {
        let closed = await refuses(port);
        for (let i = 0; i < 60 && !closed; i++) {
          await new Promise((r) => setTimeout(r, 50));
          closed = await refuses(port);
        }
        expect(closed).toBe(true);
      }

      // Act: start again (PostgreSQL recovers from the kill). Assess: all 30 ticks apply.
      stack = await startLocalStack(settings);
      const sql = postgres(stack.databaseUrl, { ...PG_CLIENT_DEFAULTS, max: 1 });
      try {
        const count = async () =>
          (
            await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM latest_prices WHERE symbol LIKE 'DOWN%'`
          )[0]?.n ?? 0;
        for (let i = 0; i < 400 && (await count()) < 30; i++) await new Promise((r) => setTimeout(r, 50));
        expect(await count()).toBe(30);
      } finally {
        await sql.end();
      }
    } finally {
      await bounded(stack.stop(), 5_000, 'the final stop').catch(() => {});
      // A server still shutting down may write into the folder: retry on ENOTEMPTY (seen under load).
      await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
    }
  }, 180_000);
});
