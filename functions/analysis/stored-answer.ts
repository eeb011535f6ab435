/**
 * The stored form of an analysis: the holdings it was asked for and the answer it gave, which
 * replays, GET /api/analyses/{id} and the history list turn back into exactly what was sent
 * (docs/metering.md "The stored answer").
 *
 * Since migrations/0013 both are one value, `analyses.answer`: a byte naming a preset dictionary
 * (answer-dictionary.ts), then the raw deflate, primed with that dictionary, of the holdings' and
 * of the answer's JSON text (`encodeAnalysis`). PostgreSQL's pglz has nothing to refer back to in a
 * 5 KB document and kept about a third of it; the primed deflate keeps a seventh. The request's fingerprint is
 * computed from the stored holdings (core/portfolio.ts requestHash), so it is not stored either.
 * What the answer repeats of the row is left out and put back on the way out, each only when the
 * round trip gives the same text (checked when storing, `slimmable`; the format byte says which):
 * the analysis id (the row's key), and the risk value series as day gaps and paise steps instead
 * of dated objects.
 *
 * Answers stored before 0013 are JSON in `analyses.response` with the holdings in `portfolio`,
 * their disclaimer replaced by a token (migrations/0012): `storedAnswer` and `decodeAnalysis` read both forms.
 */

import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { AnalysisBody } from '../core/analysis';
import { DAY_MS } from '../core/ist';
import type { Holding } from '../core/portfolio';
import { ANSWER_DICTIONARIES, CURRENT_DICTIONARY } from './answer-dictionary';

/** Stored answers inflate to a few KB: one that inflates past this is corrupt, not an answer. */
const MAX_STORED_BYTES = 4 * 1024 * 1024;

export interface StoredContent {
  holdings: Holding[];
  body: AnalysisBody;
}

type Point = { session: string; value: number };
/** The value series as stored: day gaps (the first is days since 1970-01-01) and paise steps. */
type CompactSeries = { g: number[]; p: number[] };

function compactSeries(series: Point[]): CompactSeries {
  const days = series.map((p) => Date.parse(`${p.session}T00:00:00Z`) / DAY_MS);
  const paise = series.map((p) => Math.round(p.value * 100));
  return {
    g: days.map((d, i) => (i === 0 ? d : d - (days[i - 1] as number))),
    p: paise.map((v, i) => (i === 0 ? v : v - (paise[i - 1] as number))),
  };
}

function expandSeries(c: CompactSeries): Point[] {
  let day = 0;
  let paise = 0;
  return c.g.map((gap, i) => {
    day += gap;
    paise += c.p[i] as number;
    return { session: new Date(day * DAY_MS).toISOString().slice(0, 10), value: paise / 100 };
  });
}

/** The answer without the row's id (when it is the row's) and with its series as `compact`. */
function slim(body: AnalysisBody, analysisId: string, compact: CompactSeries | undefined): unknown {
  const risk = body.details?.risk;
  return {
    ...body,
    analysis_id: body.analysis_id === analysisId ? '' : body.analysis_id,
    details: risk && compact ? { ...body.details, risk: { ...risk, value_series: compact } } : body.details,
  };
}

function fatten(stored: AnalysisBody, analysisId: string): AnalysisBody {
  const risk = stored.details?.risk as
    | (AnalysisBody['details']['risk'] & { value_series: unknown })
    | undefined;
  const series = risk?.value_series;
  const details =
    risk && series && !Array.isArray(series)
      ? { ...stored.details, risk: { ...risk, value_series: expandSeries(series as CompactSeries) } }
      : stored.details;
  return { ...stored, analysis_id: stored.analysis_id === '' ? analysisId : stored.analysis_id, details };
}

/** The first byte: the dictionary's number, plus SLIM when the answer is stored slimmed. */
const SLIM = 0x80;

const deflate = (value: unknown, dictionary: Buffer) =>
  deflateRawSync(JSON.stringify(value), { level: 9, dictionary });

const inflate = (bytes: Uint8Array, dictionary: Buffer) =>
  JSON.parse(inflateRawSync(bytes, { dictionary, maxOutputLength: MAX_STORED_BYTES }).toString('utf8'));

/**
 * The bytes of `analyses.answer`: a format byte, the length of the deflated holdings (unsigned
 * LEB128), the deflated holdings, the deflated answer. Two streams, so the history list inflates
 * only the holdings; both primed with the same dictionary. `analysisId` is the row's id: the
 * answer leaves it out only when the two are the same.
 */
export function encodeAnalysis(content: StoredContent, analysisId: string): Buffer {
  const dictionary = ANSWER_DICTIONARIES.get(CURRENT_DICTIONARY) as Buffer;
  const holdings = deflate(content.holdings, dictionary);
  const pack = (format: number, body: unknown) =>
    Buffer.concat([Buffer.from([format, ...leb128(holdings.length)]), holdings, deflate(body, dictionary)]);
  const compact = slimmable(content.body);
  return compact === null
    ? pack(CURRENT_DICTIONARY, content.body)
    : pack(CURRENT_DICTIONARY | SLIM, slim(content.body, analysisId, compact));
}

/**
 * Whether the slim form comes back as the very text that was sent (`fatten(slim(body))`), checked
 * on the two parts slimming changes, without serializing the answer again: the id is left out only
 * when it is the row's (an answer whose own id is '' would come back as the row's), and every point
 * of the series must have exactly the keys `session`, `value` and come back identical. Else the
 * answer is stored whole, and read back as it is. Returns the compact series to store (undefined
 * for an answer without one), or null when the answer must be stored whole.
 */
function slimmable(body: AnalysisBody): CompactSeries | undefined | null {
  if (!('analysis_id' in body) || !('details' in body) || body.analysis_id === '') return null;
  const series: unknown = body.details?.risk?.value_series;
  if (series === undefined) return undefined;
  if (!Array.isArray(series)) return null;
  const points = series.every((p: unknown) => {
    if (typeof p !== 'object' || p === null) return false;
    const keys = Object.keys(p);
    return keys.length === 2 && keys[0] === 'session' && keys[1] === 'value';
  });
  if (!points) return null;
  const compact = compactSeries(series as Point[]);
  // Whole numbers within 2^53 only: they survive JSON and the sums that put the series back.
  if (![...compact.g, ...compact.p].every(Number.isSafeInteger)) return null;
  const back = expandSeries(compact);
  const exact = (series as Point[]).every(
    (p, i) => back[i]?.session === p.session && Object.is(back[i]?.value, p.value),
  );
  return exact ? compact : null;
}

function parts(stored: Uint8Array) {
  const format = stored[0] ?? 0;
  const dictionary = ANSWER_DICTIONARIES.get(format & ~SLIM);
  if (!dictionary) throw new Error(`stored answer: unknown dictionary ${format & ~SLIM}`);
  let length = 0;
  let at = 1;
  for (let shift = 0; ; shift += 7) {
    const byte = stored[at++];
    if (byte === undefined || shift > 21) throw new Error('stored answer: a truncated holdings length');
    length += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) break;
  }
  return {
    dictionary,
    slim: (format & SLIM) !== 0,
    holdings: stored.subarray(at, at + length),
    answer: stored.subarray(at + length),
  };
}

/** Only the holdings of `encodeAnalysis`'s bytes (the history list): the answer stays deflated. */
export function decodeHoldings(stored: Uint8Array): Holding[] {
  const p = parts(stored);
  return inflate(p.holdings, p.dictionary) as Holding[];
}

/** Only the answer as first sent (a replay, GET /api/analyses/{id}): the holdings stay deflated. */
function decodeBody(stored: Uint8Array, analysisId: string): AnalysisBody {
  const p = parts(stored);
  const body = inflate(p.answer, p.dictionary) as AnalysisBody;
  return p.slim ? fatten(body, analysisId) : body;
}

/** The holdings and the answer as first sent, from `encodeAnalysis`'s bytes and the row's id. */
export function decodeAnalysis(stored: Uint8Array, analysisId: string): StoredContent {
  return { holdings: decodeHoldings(stored), body: decodeBody(stored, analysisId) };
}

function leb128(n: number): number[] {
  const out: number[] = [];
  let rest = n;
  do {
    out.push((rest & 0x7f) | (rest >= 0x80 ? 0x80 : 0));
    rest = Math.floor(rest / 0x80);
  } while (rest > 0);
  return out;
}

/** Token → exact disclaimer text of answers stored as JSON (migrations/0012). Never edit. */
const DISCLAIMERS: Readonly<Record<string, string>> = {
  d1:
    'This analysis is rule-based and educational only. It is not personalised investment advice, ' +
    'and this service is not a SEBI-registered investment adviser or research analyst. ' +
    'Consider consulting a SEBI-registered adviser before making investment decisions.',
};

/** An answer stored as JSON (before migrations/0013), as first sent. */
export function fromStoredAnswer<T extends { disclaimer?: unknown }>(stored: T): T {
  const text = typeof stored.disclaimer === 'string' ? DISCLAIMERS[stored.disclaimer] : undefined;
  return text === undefined ? stored : { ...stored, disclaimer: text };
}

/**
 * The answer of a row in either form: `answer` (since 0013) or `response` (JSON, before); null for
 * an analysis with neither (deleted, or a placeholder restored from billing records, whose
 * `response` is JSON null).
 */
export function storedAnswer<T extends { disclaimer?: unknown } = AnalysisBody>(row: {
  id: string;
  answer?: Uint8Array | null;
  response?: T | null;
}): T | null {
  if (row.answer) return decodeBody(row.answer, row.id) as unknown as T;
  return row.response ? fromStoredAnswer(row.response) : null;
}
