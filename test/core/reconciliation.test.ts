import { describe, expect, it } from 'vitest';
import {
  addTally,
  agreed,
  compareEvents,
  dayRange,
  decideMissing,
  emptyTally,
  type Finding,
  keepFindings,
  type LedgerEvent,
  MAX_FINDINGS,
  type ProviderEvent,
  previousDay,
  quantityOf,
  runStatus,
  summaryLine,
  sumQuantities,
  totalsAgree,
} from '../../functions/core/reconciliation';

const NOW = new Date('2026-11-29T06:00:00Z');
const CTX = { runId: 'run-2', now: NOW, settleMs: 600_000 };
const RANGE = dayRange('2026-11-28') as { start: Date; end: Date };

function ours(id: string, overrides: Partial<LedgerEvent> = {}): LedgerEvent {
  return {
    eventId: id,
    customer: 'ana',
    feature: 'advice_generation',
    quantity: 2,
    timestamp: new Date('2026-11-28T09:15:00+05:30'),
    outbox: 'sent',
    sentAt: new Date('2026-11-28T03:46:00Z'),
    resend: null,
    ...overrides,
  };
}

const theirs = (id: string, overrides: Partial<ProviderEvent> = {}): ProviderEvent => ({
  id,
  customer: 'ana',
  feature: 'advice_generation',
  quantity: 2,
  timestamp: new Date('2026-11-28T09:15:00+05:30'),
  ...overrides,
});

describe('the IST day a run checks', () => {
  it('is the day before the IST date of now, whatever the UTC date', () => {
    expect(previousDay(new Date('2026-11-28T19:30:00Z'))).toBe('2026-11-28'); // 01:00 IST on the 29th
    expect(previousDay(new Date('2026-11-28T18:29:59Z'))).toBe('2026-11-27'); // 23:59:59 IST on the 28th
    expect(previousDay(new Date('2026-12-31T18:30:00Z'))).toBe('2026-12-31'); // 00:00 IST, 1 January
  });

  it('is a half-open range: 23:59:59.999 IST is in, 00:00 IST of the next day is out', () => {
    expect(RANGE).toEqual({ start: new Date('2026-11-27T18:30:00Z'), end: new Date('2026-11-28T18:30:00Z') });
    const late = ours('late', { timestamp: new Date('2026-11-28T23:59:59.999+05:30') });
    const out = compareEvents(
      [late],
      [
        theirs('late', { timestamp: late.timestamp }),
        theirs('next', { timestamp: new Date('2026-11-29T00:00:00+05:30') }),
      ],
      RANGE,
      CTX,
    );
    expect(out.tally).toEqual({ ...emptyTally(), matched: 1 });
  });
});

describe('an event Flexprice lacks', () => {
  it('is resent once it was accepted and had time to settle, never twice', () => {
    expect(decideMissing(ours('a'), CTX)).toBe('resend');
    expect(decideMissing(ours('a', { resend: { runId: 'run-1', at: NOW } }), CTX)).toBe('still_missing');
  });

  it('waits while it is on its way: never sent, queued again, or accepted minutes ago', () => {
    expect(decideMissing(ours('a', { outbox: 'pending', sentAt: null }), CTX)).toBe('pending');
    expect(decideMissing(ours('a', { sentAt: new Date(NOW.getTime() - 60_000) }), CTX)).toBe('pending');
    const requeued = ours('a', { outbox: 'pending', sentAt: null, resend: { runId: 'run-2', at: NOW } });
    expect(decideMissing(requeued, CTX)).toBe('resent');
    expect(decideMissing({ ...requeued, resend: { runId: 'run-1', at: NOW } }, CTX)).toBe('pending');
  });

  it('is drift when its outbox row is dead', () => {
    expect(decideMissing(ours('a', { outbox: 'dead', sentAt: null }), CTX)).toBe('still_missing');
  });
});

describe('comparing one customer and feature', () => {
  it('matches by event id, reports other quantities and events unknown to us, resends the missing', () => {
    const out = compareEvents(
      [ours('same'), ours('more', { quantity: 3 }), ours('lost')],
      [theirs('same'), theirs('more', { quantity: 4 }), theirs('stranger')],
      RANGE,
      CTX,
    );
    expect(out.tally).toEqual({ ...emptyTally(), matched: 1, mismatches: 1, unknown: 1, resent: 1 });
    expect(out.resend.map((e) => e.eventId)).toEqual(['lost']);
    expect(out.findings.map((f) => [f.kind, f.eventId, f.quantity, f.providerQuantity])).toEqual([
      ['quantity_mismatch', 'more', 3, 4],
      ['resent', 'lost', 2, null],
      ['unknown', 'stranger', null, 2],
    ]);
  });

  it('counts an id Flexprice holds twice (another timestamp, so billed twice) once, the copy as unknown', () => {
    const event = ours('twice');
    const copy = theirs('twice', { timestamp: new Date('2026-11-28T10:00:00+05:30') });
    const out = compareEvents([event], [copy, theirs('twice')], RANGE, CTX);
    expect(out.tally).toEqual({ ...emptyTally(), matched: 1, unknown: 1 });
    expect(out.findings).toEqual([
      expect.objectContaining({ kind: 'unknown', timestamp: copy.timestamp?.toISOString() }),
    ]);
  });
});

describe('run status', () => {
  it('is drift for anything waiting cannot fix, resent while events are on their way, else matched', () => {
    expect(runStatus(emptyTally())).toBe('matched');
    expect(runStatus({ ...emptyTally(), matched: 5, pending: 1 })).toBe('resent');
    expect(runStatus({ ...emptyTally(), resent: 1 })).toBe('resent');
    expect(runStatus({ ...emptyTally(), resent: 1, unknown: 1 })).toBe('drift');
    expect(runStatus({ ...emptyTally(), mismatches: 1 })).toBe('drift');
    expect(runStatus({ ...emptyTally(), stillMissing: 1 })).toBe('drift');
  });

  it('keeps at most 100 findings, drift before resends', () => {
    const f = (kind: Finding['kind'], i: number): Finding => ({
      kind,
      eventId: `e${i}`,
      customer: 'c',
      feature: 'advice_generation',
      quantity: 1,
      providerQuantity: null,
      timestamp: null,
    });
    const resends = Array.from({ length: 150 }, (_, i) => f('resent', i));
    const kept = keepFindings(resends, [f('unknown', 999)]);
    expect(kept).toHaveLength(MAX_FINDINGS);
    expect(kept[0]?.kind).toBe('unknown');
  });
});

describe("Flexprice's quantity property", () => {
  it('reads the string we sent or a number; anything else is null', () => {
    expect(quantityOf('3')).toBe(3);
    expect(quantityOf(3)).toBe(3);
    for (const bad of ['', ' ', 'three', null, undefined, {}]) expect(quantityOf(bad)).toBeNull();
  });
});

describe('the cheap first check (usage totals)', () => {
  it('sums our integer quantities and accepts Flexprice float sums only when they are equal', () => {
    expect(sumQuantities([ours('a'), ours('b', { quantity: 3 })])).toBe(5);
    expect(sumQuantities([])).toBe(0);
    expect(totalsAgree(5, 5.0000000001)).toBe(true);
    expect(totalsAgree(5, 4)).toBe(false);
    expect(totalsAgree(5, 6)).toBe(false);
  });

  it('counts every event of ours as matched when the totals agree', () => {
    expect(agreed([ours('a'), ours('b')])).toEqual({
      tally: { ...emptyTally(), matched: 2 },
      resend: [],
      findings: [],
    });
  });
});

describe('a run over many customers', () => {
  it("adds each customer's counts into the run's totals", () => {
    const a = { matched: 1, resent: 2, pending: 3, stillMissing: 4, unknown: 5, mismatches: 6 };
    const b = { matched: 10, resent: 20, pending: 30, stillMissing: 40, unknown: 50, mismatches: 60 };
    expect(addTally(a, b)).toEqual({
      matched: 11,
      resent: 22,
      pending: 33,
      stillMissing: 44,
      unknown: 55,
      mismatches: 66,
    });
  });

  it('prints one summary line with every count, and says when a run has not finished', () => {
    const t = { matched: 7, resent: 1, pending: 2, stillMissing: 3, unknown: 4, mismatches: 5 };
    expect(summaryLine('2026-11-28', 'drift', 12, t)).toBe(
      '2026-11-28: drift; 12 customers, 7 events matched, 1 resent, 2 pending, 3 still missing, ' +
        '4 unknown to us, 5 quantity mismatches',
    );
    expect(summaryLine('2026-11-28', null, 0, emptyTally())).toMatch(/^2026-11-28: unfinished; 0 customers/);
  });
});

describe('what an operator reads in the findings', () => {
  it('names the event, customer, feature, both quantities and the time for each kind', () => {
    const lost = ours('lost', { customer: 'ravi', feature: 'portfolio_analysis', quantity: 1 });
    const stranger = theirs('stranger', { customer: 'meera', feature: 'advice_generation', quantity: 5 });
    const out = compareEvents([lost], [stranger], RANGE, CTX);
    expect(out.findings).toEqual([
      {
        kind: 'resent',
        eventId: 'lost',
        customer: 'ravi',
        feature: 'portfolio_analysis',
        quantity: 1,
        providerQuantity: null,
        timestamp: lost.timestamp.toISOString(),
      },
      {
        kind: 'unknown',
        eventId: 'stranger',
        customer: 'meera',
        feature: 'advice_generation',
        quantity: null,
        providerQuantity: 5,
        timestamp: stranger.timestamp?.toISOString(),
      },
    ]);
  });

  it('tallies events queued again, on their way and still missing, and ignores Flexprice events before the day', () => {
    const out = compareEvents(
      [
        ours('requeued', { outbox: 'pending', sentAt: null, resend: { runId: 'run-2', at: NOW } }),
        ours('on-its-way', { outbox: 'pending', sentAt: null }),
        ours('gone', { outbox: 'dead', sentAt: null }),
      ],
      [theirs('before', { timestamp: new Date(RANGE.start.getTime() - 1) })],
      RANGE,
      CTX,
    );
    expect(out.tally).toEqual({ ...emptyTally(), resent: 1, pending: 1, stillMissing: 1 });
    expect(out.resend).toEqual([]);
    expect(out.findings.map((f) => [f.kind, f.eventId])).toEqual([
      ['resent', 'requeued'],
      ['still_missing', 'gone'],
    ]);
    expect(runStatus(out.tally)).toBe('drift');
  });

  it('matches an event at the first instant of the day', () => {
    const first = ours('first', { timestamp: RANGE.start });
    const out = compareEvents([first], [theirs('first', { timestamp: RANGE.start })], RANGE, CTX);
    expect(out.tally).toEqual({ ...emptyTally(), matched: 1 });
  });

  it('waits exactly the settle time after a send before calling an event missing', () => {
    const at = (msAgo: number) => ours('a', { sentAt: new Date(NOW.getTime() - msAgo) });
    expect(decideMissing(at(CTX.settleMs - 1), CTX)).toBe('pending');
    expect(decideMissing(at(CTX.settleMs), CTX)).toBe('resend');
  });
});
