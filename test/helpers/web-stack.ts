/**
 * The real local stack a browser test file runs against (embedded PostgreSQL, kinesalite,
 * poller, API, local OIDC issuer, the built web app) and Chromium, started once per file and
 * stopped after it. `useWebStack` registers the beforeAll/afterAll itself, so a test file says
 * only what its stack holds: the ticks it publishes, the rows it seeds, its token lifetime.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, onTestFailed } from 'vitest';
import { LOCAL_ISSUER, signAccessToken } from '../../local/issuer';
import { kinesisClient } from '../../local/kinesis';
import { withFreePorts } from '../../local/ports';
import { publishTicks } from '../../local/publish';
import { type LocalStack, startLocalStack } from '../../local/stack';
import { buildWeb } from '../../local/web/build';
import { launchBrowser, newPage, signIn } from './browser';
import { createTestDatabase, dropTestDatabase, type TestDatabase } from './db';

/** A price tick as the feed sends it (the rest of its fields are the test's business). */
export type Tick = { symbol: string } & Record<string, unknown>;

export interface WebStackOptions {
  /** Names the temp folders (`web-<name>-…`) and the users (`<name>-<n>-…`). */
  name: string;
  /** Published once the stack runs; setup waits until GET /api/market lists them all. */
  ticks?: Tick[];
  /** Runs before the ticks are published: rows the file needs in the stack's database. */
  seed?: (db: TestDatabase) => Promise<void>;
  /** The local issuer's access-token lifetime (default: as under `npm start`). */
  accessTokenTtlSeconds?: number;
}

export interface WebStack {
  db: TestDatabase;
  stack: LocalStack;
  browser: Browser;
  /** The stack's URL: web app, API and local issuer. */
  base: string;
  /** A username of this run's own, so tests pass alone, repeated and in any order. */
  fresh(prefix?: string): string;
  /** A new page (its own sessionStorage) whose screenshot is kept if the test fails. */
  openPage(label: string): Promise<{ page: Page; problems: string[] }>;
  /** `openPage` for a fresh user, signed in. */
  signedIn(prefix?: string): Promise<{ page: Page; problems: string[]; user: string }>;
  /** Ticks onto the stack's stream, as a producer sends them. */
  publish(ticks: Tick[]): Promise<void>;
  /** A GET on the API as `username` (a fresh access token), or with `credential` as the bearer. */
  api<T>(username: string, path: string, credential?: string): Promise<{ status: number; body: T }>;
}

export function useWebStack(options: WebStackOptions): WebStack {
  let dir = '';
  let shots = '';
  let users = 0;
  const web = {
    fresh: (prefix = options.name) => `${prefix}-${++users}-${Date.now().toString(36)}`,
    async openPage(label: string) {
      const { page, problems } = await newPage(web.browser);
      onTestFailed(async () => {
        const file = join(shots, `${label.replace(/\W+/g, '-')}.png`);
        await page.screenshot({ path: file, fullPage: true }).catch(() => {});
        console.error(`screenshot of the failed test: ${file}`);
      });
      return { page, problems };
    },
    async signedIn(prefix?: string) {
      const user = web.fresh(prefix);
      const { page, problems } = await web.openPage(user);
      await signIn(page, web.base, user);
      return { page, problems, user };
    },
    async publish(ticks: Tick[]) {
      const client = kinesisClient(web.stack.kinesisEndpoint);
      try {
        const records = ticks.map((t) => ({ data: JSON.stringify(t), partitionKey: t.symbol }));
        await publishTicks(client, 'price-ticks', records);
      } finally {
        client.destroy();
      }
    },
    async api<T>(username: string, path: string, credential?: string) {
      const bearer =
        credential ?? (await signAccessToken(web.stack.issuerKey, { sub: username, issuer: LOCAL_ISSUER }));
      const res = await fetch(`${web.base}${path}`, { headers: { authorization: `Bearer ${bearer}` } });
      return { status: res.status, body: (await res.json().catch(() => null)) as T };
    },
  } as WebStack;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), `web-${options.name}-test-`));
    await chmod(dir, 0o755);
    shots = await mkdtemp(join(tmpdir(), `web-${options.name}-screenshots-`));
    web.db = await createTestDatabase({ migrate: false });
    const dist = join(dir, 'dist');
    [, web.browser] = await Promise.all([buildWeb(dist), launchBrowser()]);
    // Started again on other ports if one found free is taken before the stack binds it.
    web.stack = await withFreePorts(2, (port, kinesisPort) =>
      startLocalStack({
        dir,
        port,
        kinesisPort,
        pgPort: 0,
        stream: 'price-ticks',
        databaseUrl: web.db.adminUrl, // npm start migrates as the admin role
        seedFile: null,
        webDist: dist,
        webDevPort: 5173,
        accessTokenTtlSeconds: options.accessTokenTtlSeconds,
        log: () => {},
      }),
    );
    web.base = web.stack.apiUrl;
    await options.seed?.(web.db);
    const ticks = options.ticks ?? [];
    if (ticks.length === 0) return;
    await web.publish(ticks);
    for (let i = 0; i < 300; i++) {
      const { body } = await web.api<unknown[]>('setup', '/api/market');
      if (Array.isArray(body) && body.length === ticks.length) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('ticks did not arrive');
  }, 110_000);

  afterAll(async () => {
    await web.browser?.close();
    await web.stack?.stop();
    if (web.db) await dropTestDatabase(web.db);
    await rm(dir, { recursive: true, force: true });
  });

  return web;
}
