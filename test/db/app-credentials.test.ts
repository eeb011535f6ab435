/**
 * Where the command-line tools and npm start get stock_app's credentials (local/postgres.ts):
 * DATABASE_URL names the admin role; the tools swap in stock_app with APP_DB_PASSWORD or the
 * password npm start keeps under LOCAL_DIR, and say what to do when there is none.
 */
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_PASSWORD_FILE, appUrlFromEnv, loadOrCreateAppPassword } from '../../local/postgres';

const ADMIN = 'postgres://postgres:admin-pw@db.example:5432/stocks';

describe('the application role’s credentials, locally', () => {
  it('generates a password once, readable by its owner only, and keeps it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'app-pw-'));
    const file = join(dir, APP_PASSWORD_FILE);
    const first = await loadOrCreateAppPassword(file);
    expect(first.length).toBeGreaterThanOrEqual(24);
    expect(await loadOrCreateAppPassword(file)).toBe(first);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('connects the tools to DATABASE_URL’s server as stock_app', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'app-pw-'));
    const fromEnv = new URL(await appUrlFromEnv({ DATABASE_URL: ADMIN, APP_DB_PASSWORD: 'p w' }, dir));
    expect([fromEnv.username, decodeURIComponent(fromEnv.password), fromEnv.host, fromEnv.pathname]).toEqual([
      'stock_app',
      'p w',
      'db.example:5432',
      '/stocks',
    ]);
    const saved = await loadOrCreateAppPassword(join(dir, 'state', APP_PASSWORD_FILE));
    const fromFile = new URL(
      await appUrlFromEnv({ DATABASE_URL: ADMIN, LOCAL_DIR: join(dir, 'state') }, dir),
    );
    expect(decodeURIComponent(fromFile.password)).toBe(saved);
    expect((await readFile(join(dir, 'state', APP_PASSWORD_FILE), 'utf8')).trim()).toBe(saved);
  });

  it('uses a URL that already names stock_app as it is, and explains a missing password', async () => {
    const app = 'postgres://stock_app:x@h:1/d';
    expect(await appUrlFromEnv({ DATABASE_URL: app }, '/nowhere')).toBe(app);
    await expect(appUrlFromEnv({ DATABASE_URL: ADMIN, LOCAL_DIR: '/nowhere' }, '/nowhere')).rejects.toThrow(
      /set APP_DB_PASSWORD, or run npm start once/,
    );
  });
});
