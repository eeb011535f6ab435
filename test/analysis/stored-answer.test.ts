/** The stored form of an answer: smaller in the database, byte for byte the same answer out. */
import { describe, expect, it } from 'vitest';
import { fromStoredAnswer, toStoredAnswer } from '../../functions/analysis/stored-answer';
import { type AnalysisBody, DISCLAIMER } from '../../functions/core/analysis';

const body = {
  analysis_id: '00000000-0000-4000-8000-000000000001',
  portfolio_value: 100,
  advice: [],
  unknown_symbols: [],
  disclaimer: DISCLAIMER,
  api_key_id: '00000000-0000-4000-8000-000000000002',
} as unknown as AnalysisBody;

describe('stored answer', () => {
  it('stores the current disclaimer as a token and replays the exact JSON, key order included', () => {
    const stored = toStoredAnswer(body);
    const text = JSON.stringify(stored);
    expect(text).not.toContain('SEBI');
    expect(text.length).toBeLessThan(JSON.stringify(body).length - 200);
    // What the database gives back (json keeps the text) and the replay serializes.
    expect(JSON.stringify(fromStoredAnswer(JSON.parse(text)))).toBe(JSON.stringify(body));
  });

  it('an answer stored in full (before migration 0012, or a wording without a token) passes unchanged', () => {
    const older = { ...body, disclaimer: 'An older wording.' };
    expect(toStoredAnswer(older)).toEqual(older);
    expect(fromStoredAnswer(older)).toEqual(older);
    expect(fromStoredAnswer(body)).toEqual(body);
  });
});
