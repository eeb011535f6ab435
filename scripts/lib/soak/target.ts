/**
 * The system under soak, used as a black box over HTTP, the stream and SQL reads: either an
 * `npm start` the soak starts itself (free ports, its own LOCAL_DIR in a temp folder, a Flexprice
 * stand-in so the billing sync has work, NODE_OPTIONS=--expose-gc and the local admin endpoint),
 * or one already running (`--url`); and the simulated users it serves.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FlexpriceStandin, startFlexpriceStandin } from '../../../local/flexprice-standin';
import { LOCAL_ISSUER, loadOrCreateIssuerKey, signAccessToken } from '../../../local/issuer';
import { freePort } from '../../../local/ports';
import { embeddedPostgresUrl } from '../../../local/postgres';
import { settingsFromEnv } from '../../../local/stack';
import { type StackProcess, startStackProcess } from '../../../local/stack-process';
import type { SimUser } from './mix';
import type { SoakOptions } from './options';

export interface Target {
  baseUrl: string;
  kinesisEndpoint: string;
  adminUrl: string;
  databaseUrl: string;
  /** Folder holding the issuer key (LOCAL_DIR). */
  localDir: string;
  /** Events the Flexprice stand-in has counted (deduplicated); absent when the soak started none. */
  billedEvents?: () => number;
  stop(): Promise<void>;
}

/** Only this machine is ever loaded: every URL must point at 127.0.0.1 or localhost. */
function assertLocal(name: string, url: string): void {
  const host = new URL(url).hostname;
  if (host !== '127.0.0.1' && host !== 'localhost')
    throw new Error(`${name} must be on 127.0.0.1, got ${host}`);
}

export async function startOwnStack(log: (line: string) => void): Promise<Target> {
  const dir = await mkdtemp(join(tmpdir(), 'soak-'));
  await chmod(dir, 0o755); // PostgreSQL runs as this user but checks the folder's mode
  let standin: FlexpriceStandin | undefined;
  let stack: StackProcess | undefined;
  const cleanup = async () => {
    await stack?.stop().catch(() => stack?.kill());
    await standin?.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    standin = await startFlexpriceStandin();
    const ports = {
      PORT: await freePort(),
      KINESIS_PORT: await freePort(),
      PG_PORT: await freePort(),
      LOCAL_ADMIN_PORT: await freePort(),
    };
    log(`starting npm start in ${dir} (ports ${JSON.stringify(ports)}), Flexprice stand-in ${standin.url}`);
    stack = await startStackProcess(
      {
        ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
        LOCAL_DIR: dir,
        NODE_OPTIONS: [process.env.NODE_OPTIONS, '--expose-gc'].filter(Boolean).join(' '),
        FLEXPRICE_API_URL: standin.url,
        FLEXPRICE_API_KEY: 'soak-local-key',
        POWERTOOLS_LOG_LEVEL: 'ERROR',
        WEB_DIST: '', // the tabs poll the API; building the app would only cost CPU
      },
      180_000,
    );
    return {
      baseUrl: `http://127.0.0.1:${ports.PORT}`,
      kinesisEndpoint: `http://127.0.0.1:${ports.KINESIS_PORT}`,
      adminUrl: `http://127.0.0.1:${ports.LOCAL_ADMIN_PORT}`,
      databaseUrl: embeddedPostgresUrl(ports.PG_PORT, 'stocks'),
      localDir: dir,
      billedEvents: () => standin?.counted().length ?? 0,
      stop: cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** An `npm start` already running; the defaults are those of `npm start` itself (env, ports). */
export function attachTo(o: NonNullable<SoakOptions['attach']>): Target {
  const env = settingsFromEnv();
  if (!o.adminUrl) throw new Error('--url needs --admin-url (npm start with LOCAL_ADMIN_PORT set)');
  const target: Target = {
    baseUrl: o.url.replace(/\/$/, ''),
    adminUrl: o.adminUrl,
    kinesisEndpoint: o.kinesis ?? `http://127.0.0.1:${env.kinesisPort}`,
    databaseUrl: o.databaseUrl ?? process.env.DATABASE_URL ?? embeddedPostgresUrl(env.pgPort, 'stocks'),
    localDir: env.dir,
    stop: async () => {},
  };
  const { baseUrl, adminUrl, kinesisEndpoint, databaseUrl } = target;
  for (const [name, u] of Object.entries({ baseUrl, adminUrl, kinesisEndpoint, databaseUrl }))
    assertLocal(name, u);
  return target;
}

/** Users with tokens signed by the stack's issuer key; every other one also gets an API key. */
export async function makeUsers(target: Target, count: number, runId: string): Promise<SimUser[]> {
  const key = await loadOrCreateIssuerKey(join(target.localDir, 'issuer-key.json'));
  const users: SimUser[] = [];
  for (let i = 0; i < count; i++) {
    const sub = `soak-${runId}-${i}`;
    const token = await signAccessToken(key, {
      sub,
      email: `${sub}@example.com`,
      issuer: LOCAL_ISSUER,
      ttlSeconds: 24 * 3600,
    });
    const user: SimUser = { sub, token, analyses: [], replays: new Map() };
    if (i % 2 === 0) {
      const res = await fetch(`${target.baseUrl}/api/keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'soak' }),
      });
      if (res.status !== 201) throw new Error(`POST /api/keys answered ${res.status}: ${await res.text()}`);
      user.apiKey = ((await res.json()) as { key: string }).key;
    }
    users.push(user);
  }
  return users;
}
