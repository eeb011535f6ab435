/**
 * The soak's price feed: one PutRecords a second on the local stream carrying `tickRate` ticks,
 * round-robin over the soak's own symbols (so a soak against a developer's `npm start` never
 * moves the prices of real symbols), each price a small random walk. At most one PutRecords is in
 * flight: a slow stream skips a second (counted as dropped) instead of piling requests up.
 */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { publishTicks } from '../../../local/publish';
import type { Recorder } from './recorder';

export const SOAK_SYMBOLS = Array.from({ length: 20 }, (_, i) => `SOAK${String(i + 1).padStart(2, '0')}`);
const ROUTE = 'kinesis PutRecords (ticks)';
const PUT_TIMEOUT_MS = 10_000;

export class TickFeed {
  sent = 0;
  /** The `ts` of the newest tick the stream accepted (ms), null before the first. */
  newestSent: number | null = null;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private next = 0;
  private readonly prices = new Map(SOAK_SYMBOLS.map((s, i) => [s, 100 + i * 10]));

  constructor(
    private readonly o: { kinesis: KinesisClient; stream: string; tickRate: number; recorder: Recorder },
  ) {}

  private payloads(ts: number) {
    return Array.from({ length: this.o.tickRate }, () => {
      const symbol = SOAK_SYMBOLS[this.next++ % SOAK_SYMBOLS.length] as string;
      const price = Math.max(1, (this.prices.get(symbol) ?? 100) * (1 + (Math.random() - 0.5) / 100));
      this.prices.set(symbol, price);
      const tick = { symbol, price: Math.round(price * 100) / 100, name: `Soak ${symbol}`, sector: 'Soak' };
      return { data: JSON.stringify({ ...tick, ts: new Date(ts).toISOString() }), partitionKey: symbol };
    });
  }

  private async put(): Promise<void> {
    const ts = Date.now();
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${PUT_TIMEOUT_MS} ms`)), PUT_TIMEOUT_MS);
      });
      this.sent += await Promise.race([
        publishTicks(this.o.kinesis, this.o.stream, this.payloads(ts)),
        timeout,
      ]);
      this.newestSent = ts;
      this.o.recorder.ok(ROUTE, performance.now() - started);
    } catch (error) {
      this.o.recorder.fail(ROUTE, (error as Error).message);
    } finally {
      clearTimeout(timer);
    }
  }

  start(): void {
    const tick = () => {
      if (this.inFlight) return this.o.recorder.drop();
      this.inFlight = this.put().finally(() => {
        this.inFlight = undefined;
      });
    };
    tick();
    this.timer = setInterval(tick, 1_000);
  }

  /** Stop the feed and wait for the PutRecords in flight (bounded by its timeout). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.inFlight;
  }
}
