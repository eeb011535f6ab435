/** Which provider events an adoption takes (functions/core/reconciliation.ts planAdoption). Pure. */
import { describe, expect, it } from 'vitest';
import { FEATURES } from '../../functions/core/pricing';
import { type ProviderEvent, parseEventId, planAdoption } from '../../functions/core/reconciliation';

const A = '0b6f3c1e-8a4d-4c7e-9f2a-1d3b5c7e9f01';
const B = '5d2e4f60-1a2b-4c3d-8e9f-0a1b2c3d4e5f';
const AT = new Date('2026-11-12T04:00:00.000Z');
const HASH = 'a'.repeat(64);

const event = (over: Partial<ProviderEvent> = {}): ProviderEvent => ({
  id: `${A}:portfolio_analysis`,
  customer: 'alice',
  feature: 'portfolio_analysis',
  quantity: 1,
  timestamp: AT,
  unitPricePaise: '500',
  idempotencyKeySha256: HASH,
  ...over,
});

describe('planAdoption', () => {
  it('groups the events of one lost analysis under one placeholder with its key hash', () => {
    const plan = planAdoption(
      [
        event(),
        event({
          id: `${A}:advice_generation`,
          feature: 'advice_generation',
          quantity: 3,
          unitPricePaise: '200',
        }),
      ],
      new Set(),
      new Set(),
      FEATURES,
    );
    expect(plan.report).toEqual([]);
    expect(plan.adopt).toEqual([
      {
        analysisId: A,
        customer: 'alice',
        timestamp: AT,
        idempotencyKeySha256: HASH,
        events: [
          {
            eventId: `${A}:portfolio_analysis`,
            feature: 'portfolio_analysis',
            quantity: 1,
            unitPricePaise: '500',
          },
          {
            eventId: `${A}:advice_generation`,
            feature: 'advice_generation',
            quantity: 3,
            unitPricePaise: '200',
          },
        ],
      },
    ]);
  });

  it('skips events the ledger has and reports, never adopts, anything it cannot trust', () => {
    const plan = planAdoption(
      [
        event(), // known
        event({ id: 'evt_elsewhere' }), // another id shape
        event({ id: `${B}:portfolio_analysis`, unitPricePaise: null }), // no price
        event({ id: `${B}:advice_generation`, feature: 'advice_generation', quantity: 2.5 }), // not a count
        event({ id: `${A}:advice_generation`, feature: 'advice_generation' }), // A is a live analysis
        event({ id: `${B}:portfolio_analysis`, feature: 'advice_generation' }), // name and id disagree
      ],
      new Set([`${A}:portfolio_analysis`]),
      new Set([A]),
      FEATURES,
    );
    expect(plan.adopt).toEqual([]);
    expect(plan.report.map((f) => f.eventId)).toEqual([
      'evt_elsewhere',
      `${B}:portfolio_analysis`,
      `${B}:advice_generation`,
      `${A}:advice_generation`,
      `${B}:portfolio_analysis`,
    ]);
    expect(plan.report.every((f) => f.kind === 'unknown')).toBe(true);
  });

  it('adopts the earliest copy of an id Flexprice holds twice and reports the other', () => {
    const later = new Date(AT.getTime() + 1_000);
    const plan = planAdoption([event({ timestamp: later }), event()], new Set(), new Set(), FEATURES);
    expect(plan.adopt).toHaveLength(1);
    expect(plan.adopt[0]?.timestamp).toEqual(AT);
    expect(plan.report).toHaveLength(1);
  });
});

describe('parseEventId', () => {
  it('reads <analysis uuid>:<feature> and nothing else', () => {
    expect(parseEventId(`${A}:advice_generation`, FEATURES)).toEqual({
      analysisId: A,
      feature: 'advice_generation',
    });
    expect(parseEventId(`${A}:late_fee`, FEATURES)).toBeNull();
    expect(parseEventId(`${A.toUpperCase()}:portfolio_analysis`, FEATURES)).toBeNull();
    expect(parseEventId(`x${A}:portfolio_analysis`, FEATURES)).toBeNull();
  });
});
