/**
 * What the soak measured, per reporting interval: every answered request's latency by route, the
 * failures with a few examples, and the requests the load generator dropped because its
 * concurrency bound was reached (a sign the machine, not the service, is saturated).
 */

export interface IntervalRecord {
  /** Latencies (ms) by route label. */
  routes: Map<string, number[]>;
  errors: number;
  dropped: number;
}

const MAX_EXAMPLES = 10;

export class Recorder {
  readonly intervals: IntervalRecord[] = [];
  readonly errorExamples: string[] = [];
  errors = 0;
  dropped = 0;

  constructor() {
    this.nextInterval();
  }

  /** Close the current interval and start the next. */
  nextInterval(): void {
    this.intervals.push({ routes: new Map(), errors: 0, dropped: 0 });
  }

  private get current(): IntervalRecord {
    return this.intervals[this.intervals.length - 1] as IntervalRecord;
  }

  ok(route: string, ms: number): void {
    const list = this.current.routes.get(route);
    if (list) list.push(ms);
    else this.current.routes.set(route, [ms]);
  }

  fail(route: string, why: string): void {
    this.errors++;
    this.current.errors++;
    if (this.errorExamples.length < MAX_EXAMPLES) this.errorExamples.push(`${route}: ${why}`);
  }

  drop(): void {
    this.dropped++;
    this.current.dropped++;
  }
}

/** Latencies of the API routes only (labels starting with an HTTP method), per interval. */
export function apiLatencies(intervals: readonly IntervalRecord[]): number[][] {
  return intervals.map((i) =>
    [...i.routes.entries()].filter(([route]) => /^[A-Z]+ \//.test(route)).flatMap(([, ms]) => ms),
  );
}
