/**
 * The soak's load: simulated users (each with an access token, half also with an API key made
 * through POST /api/keys) sending a fixed mix of requests at a steady open-loop rate with a bounded
 * number in flight; the web app's open tabs polling GET /api/market every 30 s; and ticks put on
 * the local stream at a steady rate. Every loop is bounded: it stops when `stop()` is called, and
 * each request gives up after REQUEST_TIMEOUT_MS.
 */
import { isDeepStrictEqual } from 'node:util';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { publishTicks } from '../../../local/publish';
import type { Recorder } from './recorder';

const REQUEST_TIMEOUT_MS = 10_000;
/** The web app's market refresh (SPEC §8: at most every 30 s). */
export const TAB_POLL_MS = 30_000;
export const SOAK_SYMBOLS = Array.from({ length: 20 }, (_, i) => `SOAK${String(i + 1).padStart(2, '0')}`);
const KEEP = 20; // per user: recent analysis ids and Idempotency-Keys to read back or replay

export interface SimUser {
  sub: string;
  token: string;
  apiKey?: string;
  analyses: string[];
  /** Idempotency-Key → the first answer's body, for replays that must return it exactly. */
  replays: Map<string, { body: string; answer: unknown }>;
}

type Kind =
  | 'analyze'
  | 'analyze-key'
  | 'analyze-idem'
  | 'replay'
  | 'history'
  | 'analysis'
  | 'market'
  | 'usage'
  | 'billing';

/** The mix, by weight: mostly billed analyses, then the reads a user makes around them. */
const MIX: ReadonlyArray<[Kind, number]> = [
  ['analyze', 25],
  ['analyze-key', 15],
  ['analyze-idem', 10],
  ['replay', 10],
  ['history', 10],
  ['analysis', 5],
  ['market', 15],
  ['usage', 5],
  ['billing', 5],
];
const MIX_TOTAL = MIX.reduce((n, [, w]) => n + w, 0);

function pick<T>(list: readonly T[]): T {
  return list[Math.floor(Math.random() * list.length)] as T;
}

function pickKind(): Kind {
  let r = Math.random() * MIX_TOTAL;
  for (const [kind, weight] of MIX) {
    r -= weight;
    if (r < 0) return kind;
  }
  return 'market';
}

function portfolioBody(): string {
  const start = Math.floor(Math.random() * (SOAK_SYMBOLS.length - 5));
  const holdings = SOAK_SYMBOLS.slice(start, start + 5).map((symbol, i) => ({ symbol, quantity: 5 + i * 3 }));
  return JSON.stringify({ portfolio: holdings });
}

function remember<K, V>(map: Map<K, V>, key: K, value: V) {
  map.set(key, value);
  if (map.size > KEEP) map.delete(map.keys().next().value as K);
}

export class Traffic {
  private inFlight = 0;
  private stopped = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly pending = new Set<Promise<void>>();
  private seq = 0;
  ticksSent = 0;
  newestTickSent: number | null = null;

  constructor(
    private readonly o: {
      baseUrl: string;
      users: SimUser[];
      recorder: Recorder;
      /** API requests per second (the tabs' polling and the ticks come on top). */
      rate: number;
      concurrency: number;
      tabs: number;
      tickRate: number;
      kinesis: KinesisClient;
      stream: string;
      /** Test hook: one malformed analyze per `injectErrorEveryMs`, which must fail the run. */
      injectErrorEveryMs?: number;
    },
  ) {}

  /** One timed request; `check` says what is wrong with the answer, or null. */
  async request(
    route: string,
    path: string,
    init: RequestInit & { credential: string },
    check: (res: Response, text: string) => string | null = (res) =>
      res.status === 200 ? null : `status ${res.status}`,
  ): Promise<{ status: number; text: string } | null> {
    const started = performance.now();
    try {
      const res = await fetch(`${this.o.baseUrl}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${init.credential}`, ...(init.headers as Record<string, string>) },
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

  /** The API requests and the tabs (after the soak's symbols have prices: see startTicks). */
  startRequests(): void {
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

  /** Ticks: one PutRecords a second carrying tickRate ticks, round-robin over the soak's symbols. */
  startTicks(): void {
    let next = 0;
    const prices = new Map(SOAK_SYMBOLS.map((s, i) => [s, 100 + i * 10]));
    this.every(1_000, () =>
      this.launch(async () => {
        const ts = Date.now();
        const ticks = Array.from({ length: this.o.tickRate }, () => {
          const symbol = SOAK_SYMBOLS[next++ % SOAK_SYMBOLS.length] as string;
          const price = Math.max(1, (prices.get(symbol) ?? 100) * (1 + (Math.random() - 0.5) / 100));
          prices.set(symbol, price);
          const data = JSON.stringify({
            symbol,
            price: Math.round(price * 100) / 100,
            name: `Soak ${symbol}`,
            sector: 'Soak',
            ts: new Date(ts).toISOString(),
          });
          return { data, partitionKey: symbol };
        });
        const started = performance.now();
        try {
          this.ticksSent += await publishTicks(this.o.kinesis, this.o.stream, ticks);
          this.newestTickSent = ts;
          this.o.recorder.ok('kinesis PutRecords (ticks)', performance.now() - started);
        } catch (error) {
          this.o.recorder.fail('kinesis PutRecords (ticks)', (error as Error).message);
        }
      }),
    );
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
