import { describe, expect, it } from 'vitest';
import {
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
