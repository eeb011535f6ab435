/**
 * The local stack end to end, as a newcomer runs it: `npm start` in a child process,
 * ticks put on its Kinesis endpoint with the AWS SDK, read back from /api/market with the
 * printed token, then a clean stop on Ctrl-C and a restart that still has the data.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { afterAll, describe, expect, it } from 'vitest';
import { kinesisClient } from '../../local/kinesis';
import { withFreePorts } from '../../local/ports';
import { type StackProcess, startStackProcess } from '../../local/stack-process';

const started: StackProcess[] = [];
afterAll(() => {
  for (const stack of started) stack.kill();
});

async function start(env: Record<string, string>): Promise<StackProcess> {
  const stack = await startStackProcess({ ...env, POWERTOOLS_LOG_LEVEL: 'WARN' }, 60_000);
  started.push(stack);
  return stack;
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
    let env = { LOCAL_DIR: dir, PORT: '', KINESIS_PORT: '', PG_PORT: '' };
    try {
      // On other ports if one found free is taken before npm start binds it; the restart reuses them.
      const first = await withFreePorts(3, (port, kinesisPort, pgPort) => {
        env = { LOCAL_DIR: dir, PORT: `${port}`, KINESIS_PORT: `${kinesisPort}`, PG_PORT: `${pgPort}` };
        return start(env);
      });
      const token = first.token();
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
      await first.stop('SIGINT');
      expect(first.output()).toContain('Stopped.');
      expect(existsSync(join(dir, 'pgdata', 'postmaster.pid'))).toBe(false);

      // A restart finds the data it left under LOCAL_DIR.
      const second = await start({ ...env, SEED_FILE: '' });
      expect((await market('NEWCO')).map((r) => r.price)).toEqual([123.45]);
      await second.stop('SIGTERM');
      expect(second.output()).toContain('Stopped.');
      expect(existsSync(join(dir, 'pgdata', 'postmaster.pid'))).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
