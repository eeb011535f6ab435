/** The stored form of an analysis: a fraction of the bytes, byte for byte the same answer out. */
import { createHash } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixedAnalysis } from '../../bench/write-fixture';
import { ANSWER_DICTIONARIES } from '../../functions/analysis/answer-dictionary';
import {
  decodeAnalysis,
  decodeHoldings,
  encodeAnalysis,
  fromStoredAnswer,
  storedAnswer,
} from '../../functions/analysis/stored-answer';
import { type AnalysisBody, DISCLAIMER } from '../../functions/core/analysis';

const real = fixedAnalysis('user-1', new Date('2026-12-04T10:00:00Z'), null);
const content = { holdings: real.portfolio, body: real.body };
/** The text a client was sent, and a replay must send again. */
const text = (x: unknown) => JSON.stringify(x);

describe('stored analysis', () => {
  it('keeps a real answer (5 holdings, 3 advice items, risk with 60 sessions) in a fifth of its text', () => {
    const stored = encodeAnalysis(content, real.id);
    expect(stored.length).toBeLessThan(text(real.body).length / 5);
    const back = decodeAnalysis(stored, real.id);
    expect(text(back.body)).toBe(text(real.body));
    expect(back.holdings).toEqual(real.portfolio);
  });

  it('puts back the analysis id of the row it is read from, and only where it was left out', () => {
    const stored = encodeAnalysis(content, real.id);
    expect(stored.includes(Buffer.from(real.id))).toBe(false);
    expect(decodeAnalysis(stored, real.id).body.analysis_id).toBe(real.id);
  });

  it('stores a value series it could not put back exactly as it was', () => {
    const risk = real.body.details.risk as NonNullable<AnalysisBody['details']['risk']>;
    // Not whole paise, and a session that is no calendar date: neither survives the compact form.
    for (const odd of [
      { session: '2026-12-01', value: 1.005 },
      { session: '2026-13-01', value: 10 },
    ]) {
      const body = {
        ...real.body,
        details: { ...real.body.details, risk: { ...risk, value_series: [odd] } },
      };
      expect(text(decodeAnalysis(encodeAnalysis({ holdings: [], body }, real.id), real.id).body)).toBe(
        text(body),
      );
    }
  });

  it('leaves the id in when it is not exactly the row id, and never rewrites an answer stored whole', () => {
    // Another spelling of the row's id must come back as it was sent.
    const upper = { ...real.body, analysis_id: real.id.toUpperCase() };
    expect(text(decodeAnalysis(encodeAnalysis({ holdings: [], body: upper }, real.id), real.id).body)).toBe(
      text(upper),
    );
    // An answer whose series already looks compact, and an empty id: both stored as they are.
    const risk = { ...(real.body.details.risk as object), value_series: { g: [1], p: [1] } };
    const odd = {
      ...real.body,
      analysis_id: '',
      details: { ...real.body.details, risk },
    } as unknown as AnalysisBody;
    expect(text(decodeAnalysis(encodeAnalysis({ holdings: [], body: odd }, real.id), real.id).body)).toBe(
      text(odd),
    );
  });

  it('gives the holdings alone without inflating the answer (the history list)', () => {
    const stored = encodeAnalysis(content, real.id);
    expect(decodeHoldings(stored)).toEqual(real.portfolio);
    // The answer's stream corrupted: the holdings still read, the answer does not.
    const broken = Buffer.concat([stored.subarray(0, stored.length - 40), Buffer.alloc(40, 0xff)]);
    expect(decodeHoldings(broken)).toEqual(real.portfolio);
    expect(() => decodeAnalysis(broken, real.id)).toThrow();
  });

  it('refuses a stream that inflates past 4 MB (a decompression bomb)', () => {
    const bomb = Buffer.concat([stored4mb(), Buffer.alloc(0)]);
    expect(() => decodeAnalysis(bomb, real.id)).toThrow();
  });

  it('gives back any answer exactly (arbitrary series, names, extra keys)', () => {
    const point = fc.record({
      session: fc
        .date({ min: new Date('1990-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10)),
      value: fc.oneof(
        fc.integer({ min: -1e9, max: 1e12 }).map((p) => p / 100),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
      ),
    });
    fc.assert(
      fc.property(
        fc.array(point, { maxLength: 70 }),
        fc.string(),
        fc.uuid(),
        fc.array(fc.record({ symbol: fc.string(), quantity: fc.integer({ min: 1 }) }), { maxLength: 30 }),
        (series, name, id, holdings) => {
          const risk = { ...(real.body.details.risk as object), value_series: series };
          const body = {
            ...real.body,
            analysis_id: id,
            details: { ...real.body.details, per_stock: [{ ...real.body.details.per_stock[0], name }], risk },
            api_key_id: id,
          } as AnalysisBody;
          const back = decodeAnalysis(encodeAnalysis({ holdings, body }, id), id);
          expect(text(back.body)).toBe(text(body));
          expect(back.holdings).toEqual(holdings);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('reads an answer stored as JSON before migration 0013, its disclaimer token replaced', () => {
    const older = { ...real.body, disclaimer: 'd1' };
    expect(text(storedAnswer({ id: real.id, response: older }))).toBe(
      text({ ...real.body, disclaimer: DISCLAIMER }),
    );
    const wording = { ...real.body, disclaimer: 'An older wording.' };
    expect(fromStoredAnswer(wording)).toEqual(wording);
    // A placeholder restored from billing records has JSON null; a deleted analysis nothing.
    expect(storedAnswer({ id: real.id, response: null })).toBeNull();
    expect(storedAnswer({ id: real.id, answer: null, response: null })).toBeNull();
  });

  it('refuses bytes of an unknown dictionary or a corrupt stream instead of guessing', () => {
    const stored = encodeAnalysis(content, real.id);
    expect(() => decodeAnalysis(Buffer.concat([Buffer.from([99]), stored.subarray(1)]), real.id)).toThrow(
      /unknown dictionary 99/,
    );
    expect(() =>
      decodeAnalysis(Buffer.concat([stored.subarray(0, 1), Buffer.from('garbage')]), real.id),
    ).toThrow();
  });

  it('never changes a dictionary that answers were stored with', () => {
    // Stored answers inflate only with the exact bytes they were deflated with: a new
    // dictionary is a new number (answer-dictionary.ts).
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect([...ANSWER_DICTIONARIES].map(([n, d]) => [n, sha(d)])).toEqual([[1, DICTIONARY_1_SHA256]]);
  });
});

/** A well-formed stored value whose answer inflates to 8 MB of spaces. */
function stored4mb(): Buffer {
  const dictionary = ANSWER_DICTIONARIES.get(1) as Buffer;
  const holdings = deflateRawSync('[]', { dictionary });
  const answer = deflateRawSync(Buffer.alloc(8 * 1024 * 1024, 0x20), { dictionary });
  return Buffer.concat([Buffer.from([0x81, holdings.length]), holdings, answer]);
}

const DICTIONARY_1_SHA256 = '2271803577012e86e181f7863c9b8f54ef3def36fe07a1d09a681c200eb847cc';
