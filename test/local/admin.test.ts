/** npm start's local-only admin endpoint (local/admin.ts): memory figures and a forced GC. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type AdminServer, startAdminServer } from '../../local/admin';

let admin: AdminServer | undefined;
const realGc = globalThis.gc;
afterEach(async () => {
  await admin?.stop();
  admin = undefined;
  globalThis.gc = realGc;
});

describe('the local admin endpoint', () => {
  it('listens on 127.0.0.1 only and reports the process memory', async () => {
    admin = await startAdminServer(0);
    expect(new URL(admin.url).hostname).toBe('127.0.0.1');
    const res = await fetch(`${admin.url}/memory`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.rss).toBeGreaterThan(0);
    expect(body.heapUsed).toBeGreaterThan(0);
  });

  it('runs a full GC on POST /gc when Node exposes it, and says how to expose it when not', async () => {
    admin = await startAdminServer(0);
    globalThis.gc = undefined;
    const refused = await fetch(`${admin.url}/gc`, { method: 'POST' });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { detail: string }).detail).toMatch(/--expose-gc/);

    const gc = vi.fn();
    globalThis.gc = gc as unknown as typeof globalThis.gc;
    const res = await fetch(`${admin.url}/gc`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(gc).toHaveBeenCalledOnce();
    expect(((await res.json()) as { gcAvailable: boolean }).gcAvailable).toBe(true);
  });

  it('answers anything else with problem+json: 405 with Allow, 404', async () => {
    admin = await startAdminServer(0);
    const wrongMethod = await fetch(`${admin.url}/gc`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    const unknown = await fetch(`${admin.url}/env`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toBe('application/problem+json');
  });

  it('refuses a port that is not one', async () => {
    await expect(startAdminServer(Number('abc'))).rejects.toThrow(/LOCAL_ADMIN_PORT must be a TCP port/);
  });
});
