/**
 * The local stack end to end, as a newcomer runs it: `npm start` in a child process,
 * ticks put on its Kinesis endpoint with the AWS SDK, read back from /api/market with the
 * printed token, then a clean stop on Ctrl-C and a restart that still has the data.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { afterAll, describe, expect, it } from 'vitest';
import { kinesisClient } from '../../local/kinesis';
import { freePort } from '../../local/ports';
import { ROOT } from '../../local/stack';

interface Running {
  child: ChildProcess;
  output: () => string;
}

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) {
    try {
      process.kill(-(child.pid ?? 0), 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

async function start(env: Record<string, string>): Promise<Running> {
  // Exactly what a newcomer runs, in a process group of its own so that stopping it can signal
  // the whole group, as Ctrl-C in a terminal does (npm, tsx, node and PostgreSQL all get it).
  const child = spawn('npm', ['start'], {
    cwd: ROOT,
    env: { ...process.env, ...env, DATABASE_URL: '', POWERTOOLS_LOG_LEVEL: 'WARN' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  const deadline = Date.now() + 60_000;
  while (!output.includes('Ready.')) {
    if (child.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
    if (Date.now() > deadline) throw new Error(`npm start not ready in 60 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, output: () => output };
}

async function stop({ child, output }: Running, signal: NodeJS.Signals): Promise<number | null> {
  // 'close' (not 'exit'): npm may exit first; the output pipe closes when every process holding it has.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  process.kill(-(child.pid ?? 0), signal);
  const code = await Promise.race([
    exited,
    new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 20_000)),
  ]);
  if (code === 'timeout') throw new Error(`did not stop within 20 s:\n${output()}`);
  return code;
}

async function poll<T>(read: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('npm start', () => {
  it('ingests ticks from its stream, serves them with the printed token, stops cleanly and keeps its data', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stack-'));
    await chmod(dir, 0o755);
    const env = {
      LOCAL_DIR: dir,
      PORT: String(await freePort()),
      KINESIS_PORT: String(await freePort()),
      PG_PORT: String(await freePort()),
    };
    try {
      const first = await start(env);
      const tokenLine = /^export TOKEN=(\S+)$/m.exec(first.output());
      expect(tokenLine).not.toBeNull();
      const token = tokenLine?.[1] ?? '';
      const api = `http://127.0.0.1:${env.PORT}`;
      const market = async (symbols: string) => {
        const res = await fetch(`${api}/api/market?symbols=${encodeURIComponent(symbols)}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect(res.status).toBe(200);
        return (await res.json()) as Array<{ symbol: string; price: number; name: string | null }>;
      };

      // The seed file (data/stocks.csv) arrives through the stream.
      await poll(async () => ((await market('TCS')).length === 1 ? true : undefined), 'seeded TCS');

      // Act: a producer puts ticks on the local endpoint with the AWS SDK.
      const client = kinesisClient(`http://127.0.0.1:${env.KINESIS_PORT}`);
      const ticks = [
        { symbol: 'NEWCO', price: 123.45, name: 'New Co Ltd', sector: 'Services' },
        { symbol: 'TCS', price: 4321.5, ts: new Date().toISOString() },
        'this is not json',
      ];
      await client.send(
        new PutRecordsCommand({
          StreamName: 'price-ticks',
          Records: ticks.map((t, i) => ({
            Data: Buffer.from(typeof t === 'string' ? t : JSON.stringify(t)),
            PartitionKey: typeof t === 'string' ? `bad-${i}` : t.symbol,
          })),
        }),
      );
      client.destroy();

      // Assess: both show up on /api/market; the garbage did not block them.
      const rows = await poll(async () => {
        const r = await market('NEWCO,TCS');
        return r.length === 2 && r[1]?.price === 4321.5 ? r : undefined;
      }, 'ticks on /api/market');
      expect(rows.map((r) => [r.symbol, r.price])).toEqual([
        ['NEWCO', 123.45],
        ['TCS', 4321.5],
      ]);
      expect(rows[1]?.name).toBe('Tata Consultancy Services Ltd');
      expect((await fetch(`${api}/api/market`)).status).toBe(401);
      // Ctrl-C: every part stops, PostgreSQL included (it removes its pid file when down).
      await stop(first, 'SIGINT');
      expect(first.output()).toContain('Stopped.');
      expect(existsSync(join(dir, 'pgdata', 'postmaster.pid'))).toBe(false);

      // A restart finds the data it left under LOCAL_DIR.
      const second = await start({ ...env, SEED_FILE: '' });
      expect((await market('NEWCO')).map((r) => r.price)).toEqual([123.45]);
      await stop(second, 'SIGTERM');
      expect(second.output()).toContain('Stopped.');
      expect(existsSync(join(dir, 'pgdata', 'postmaster.pid'))).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
