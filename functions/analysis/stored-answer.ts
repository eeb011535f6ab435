/**
 * The stored form of an analysis's answer (analyses.response), which replays and
 * GET /api/analyses/{id} turn back into the answer as first sent.
 *
 * The one part every answer repeats word for word is the disclaimer (~270 bytes, about a fifth
 * of a compressed row): it is stored as a short token naming its exact text. The texts are kept
 * here, never edited: a new wording gets a new token, so an old answer replays with the words it
 * was sent with. A wording with no token is simply stored in full, so forgetting to add one costs
 * bytes, never correctness. The key keeps its place in the object, so the replayed JSON is byte
 * for byte the first answer (docs/metering.md "The stored answer").
 */
import type { AnalysisBody } from '../core/analysis';

/** Token → exact disclaimer text. Append only. */
const DISCLAIMERS: Readonly<Record<string, string>> = {
  d1:
    'This analysis is rule-based and educational only. It is not personalised investment advice, ' +
    'and this service is not a SEBI-registered investment adviser or research analyst. ' +
    'Consider consulting a SEBI-registered adviser before making investment decisions.',
};

const TOKENS = new Map(Object.entries(DISCLAIMERS).map(([token, text]) => [text, token]));

/** The answer as stored: its disclaimer replaced by its token when it has one. */
export function toStoredAnswer(body: AnalysisBody): AnalysisBody {
  const token = TOKENS.get(body.disclaimer);
  return token ? { ...body, disclaimer: token } : body;
}

/** The answer as first sent, from its stored form (answers stored in full pass unchanged). */
export function fromStoredAnswer<T extends { disclaimer?: unknown }>(stored: T): T {
  const text = typeof stored.disclaimer === 'string' ? DISCLAIMERS[stored.disclaimer] : undefined;
  return text === undefined ? stored : { ...stored, disclaimer: text };
}
