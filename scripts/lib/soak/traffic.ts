/**
 * The soak's load: simulated users (each with an access token, half also with an API key made
 * through POST /api/keys) sending a fixed mix of requests at a steady open-loop rate with a bounded
 * number in flight, and the web app's open tabs polling GET /api/market every 30 s (the ticks are
 * ticks.ts). Every loop is bounded: it stops when `stop()` is called, and each request gives up
 * after REQUEST_TIMEOUT_MS.
 */
import { isDeepStrictEqual } from 'node:util';
import { KEEP, type Kind, pick, pickKind, portfolioBody, remember, type SimUser } from './mix';
import type { Recorder } from './recorder';
import { SOAK_SYMBOLS } from './ticks';

const REQUEST_TIMEOUT_MS = 10_000;
/** The web app's market refresh (SPEC §8: at most every 30 s). */
export const TAB_POLL_MS = 30_000;

export class Traffic {
  private inFlight = 0;
  private stopped = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly pending = new Set<Promise<void>>();
  private seq = 0;

  constructor(
    private readonly o: {
      baseUrl: string;
      users: SimUser[];
      recorder: Recorder;
      /** API requests per second (the tabs' polling and the ticks come on top). */
      rate: number;
      concurrency: number;
      tabs: number;
      /** Test hook: one malformed analyze per `injectErrorEveryMs`, which must fail the run. */
      injectErrorEveryMs?: number;
    },
  ) {}

  /** One timed request; `check` says what is wrong with the answer, or null. */
  async request(
    route: string,
    path: string,
    { credential, ...init }: RequestInit & { credential: string },
    check: (res: Response, text: string) => string | null = (res) =>
      res.status === 200 ? null : `status ${res.status}`,
  ): Promise<{ status: number; text: string } | null> {
    const started = performance.now();
    try {
      const res = await fetch(`${this.o.baseUrl}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${credential}`, ...(init.headers as Record<string, string>) },
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await res.text();
      const problem = check(res, text);
      if (problem) this.o.recorder.fail(route, `${problem}: ${text.slice(0, 200)}`);
      else this.o.recorder.ok(route, performance.now() - started);
      return { status: res.status, text };
    } catch (error) {
      this.o.recorder.fail(route, (error as Error).message);
      return null;
    }
  }

  private async analyze(route: string, user: SimUser, credential: string, key?: string) {
    const body = portfolioBody();
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (key) headers['idempotency-key'] = key;
    const out = await this.request(route, '/api/analyze', { method: 'POST', credential, headers, body });
    if (out?.status !== 200) return;
    const answer = JSON.parse(out.text) as { analysis_id?: string };
    if (answer.analysis_id) user.analyses.push(answer.analysis_id);
    if (user.analyses.length > KEEP) user.analyses.shift();
    if (key) remember(user.replays, key, { body, answer });
  }

  private async replay(user: SimUser) {
    const [key, first] =
      [...user.replays.entries()].at(-1 - Math.floor(Math.random() * user.replays.size)) ?? [];
    if (!key || !first)
      return this.analyze('POST /api/analyze (Idempotency-Key)', user, user.token, this.newKey());
    await this.request(
      'POST /api/analyze (replay)',
      '/api/analyze',
      {
        method: 'POST',
        credential: user.token,
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: first.body,
      },
      (res, text) => {
        if (res.status !== 200) return `status ${res.status}`;
        if (res.headers.get('idempotent-replayed') !== 'true') return 'no Idempotent-Replayed header';
        return isDeepStrictEqual(JSON.parse(text), first.answer)
          ? null
          : 'replay differs from the first answer';
      },
    );
  }

  private newKey(): string {
    return `soak-${process.pid}-${++this.seq}`;
  }

  private async one(kind: Kind): Promise<void> {
    const user = pick(this.o.users);
    switch (kind) {
      case 'analyze':
        return this.analyze('POST /api/analyze', user, user.token);
      case 'analyze-key':
        return this.analyze('POST /api/analyze (API key)', user, user.apiKey ?? user.token);
      case 'analyze-idem':
        return this.analyze('POST /api/analyze (Idempotency-Key)', user, user.token, this.newKey());
      case 'replay':
        return this.replay(user);
      case 'history':
        return void (await this.request('GET /api/analyses', '/api/analyses?limit=20', {
          credential: user.token,
        }));
      case 'analysis': {
        const id = user.analyses.length ? pick(user.analyses) : undefined;
        if (!id) return this.one('history');
        return void (await this.request('GET /api/analyses/{id}', `/api/analyses/${id}`, {
          credential: user.token,
        }));
      }
      case 'market': {
        const symbols = [pick(SOAK_SYMBOLS), pick(SOAK_SYMBOLS)].join(',');
        return void (await this.request('GET /api/market?symbols', `/api/market?symbols=${symbols}`, {
          credential: user.apiKey ?? user.token,
        }));
      }
      case 'usage':
        return void (await this.request('GET /api/usage', '/api/usage', { credential: user.token }));
      case 'billing':
        return void (await this.request('GET /api/billing', '/api/billing', { credential: user.token }));
    }
  }

  /** Run `work` unless the concurrency bound is reached (then it is counted as dropped). */
  private launch(work: () => Promise<void>) {
    if (this.stopped) return;
    if (this.inFlight >= this.o.concurrency) return this.o.recorder.drop();
    this.inFlight++;
    const p = work().finally(() => {
      this.inFlight--;
      this.pending.delete(p);
    });
    this.pending.add(p);
  }

  private every(ms: number, fn: () => void, delayMs = 0) {
    const start = setTimeout(() => {
      if (this.stopped) return;
      fn();
      this.timers.push(setInterval(fn, ms));
    }, delayMs);
    this.timers.push(start);
  }

  /** The API requests, the tabs and the test hook. */
  start(): void {
    // Requests: a slot every 100 ms, carrying rate/10 requests (the fraction carried over).
    let credit = 0;
    this.every(100, () => {
      credit += this.o.rate / 10;
      for (; credit >= 1; credit--) this.launch(() => this.one(pickKind()));
    });
    // Tabs: each polls the whole market table every TAB_POLL_MS, spread over the period.
    for (let t = 0; t < this.o.tabs; t++) {
      const user = this.o.users[t % this.o.users.length] as SimUser;
      this.every(
        TAB_POLL_MS,
        () =>
          this.launch(
            async () =>
              void (await this.request('GET /api/market (tab)', '/api/market', { credential: user.token })),
          ),
        Math.round((TAB_POLL_MS * t) / Math.max(1, this.o.tabs)),
      );
    }
    const inject = this.o.injectErrorEveryMs;
    if (inject) {
      this.every(inject, () =>
        this.launch(async () => {
          const user = pick(this.o.users);
          await this.request('POST /api/analyze (injected error)', '/api/analyze', {
            method: 'POST',
            credential: user.token,
            headers: { 'content-type': 'application/json' },
            body: '{"portfolio": "not a list"}',
          });
        }),
      );
    }
  }

  /** Stop every loop and wait (bounded by the request timeout) for the requests in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    await Promise.race([
      Promise.allSettled([...this.pending]),
      new Promise((r) => setTimeout(r, REQUEST_TIMEOUT_MS + 1_000)),
    ]);
  }
}
