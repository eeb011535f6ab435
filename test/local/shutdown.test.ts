/**
 * Ctrl-C must end every part of `npm start` promptly even when PostgreSQL is already dead
 * (killed, OOM): before, the stop waited 15 s for a server that would never remove its pid file.
 * The stack runs in this process; its stop is bounded by this test's own timeout, not timed.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { kinesisClient } from '../../local/kinesis';
import { freePort } from '../../local/ports';
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
  it('ends every part within 5 s when PostgreSQL was killed, ticks in flight', async () => {
    // Prepare: a running stack whose database then dies (SIGKILL leaves its pid file behind).
    const dir = await mkdtemp(join(tmpdir(), 'shutdown-'));
    await chmod(dir, 0o755);
    const ports = { port: await freePort(), kinesisPort: await freePort(), pgPort: await freePort() };
    const logs: string[] = [];
    const stack = await startLocalStack({
      dir,
      ...ports,
      stream: 'price-ticks',
      seedFile: null,
      log: (line) => logs.push(line),
    });
    try {
      const pidFile = join(dir, 'pgdata', 'postmaster.pid');
      const pid = Number((await readFile(pidFile, 'utf8')).split('\n', 1)[0]);
      process.kill(pid, 'SIGKILL');
      for (let i = 0; i < 200 && alive(pid); i++) await new Promise((r) => setTimeout(r, 25));
      expect(alive(pid)).toBe(false);
      expect(existsSync(pidFile)).toBe(true);
      // Ticks the consumer now fails on: the poller is retrying when the stop comes.
      const client = kinesisClient(stack.kinesisEndpoint);
      await client.send(
        new PutRecordsCommand({
          StreamName: 'price-ticks',
          Records: [{ Data: Buffer.from('{"symbol":"TCS","price":1}'), PartitionKey: 'TCS' }],
        }),
      );
      client.destroy();
      await new Promise((r) => setTimeout(r, 300));

      // Act / Assess: the stop resolves within the promised 5 s, and every port is closed.
      await bounded(stack.stop(), 5_000, 'stack.stop()');
      for (const port of [ports.port, ports.kinesisPort]) expect(await refuses(port)).toBe(true);
    } finally {
      await bounded(stack.stop(), 5_000, 'a second stop').catch(() => {});
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
