/**
 * NSE's corporate-actions CSV (SPEC §11) → splits and bonuses with their exact factor. The
 * PURPOSE column is free text; only the two shapes NSE uses for share-count changes are read:
 *   "Face Value Split (Sub-Division) - From Rs 10/- Per Share To Rs 2/- Per Share"  → 10/2
 *   "Bonus 3:2" (3 new shares for every 2 held)                                      → 5/2
 * Dividends and other purposes are skipped and counted. A purpose that mentions a split, bonus
 * or consolidation in any other shape is reported, never guessed: a wrong factor would silently
 * corrupt every measure of the symbol. Pure: bytes in, actions and a report out.
 */

import { sessionDate } from './bhavcopy';
import { columnIndex, fileRecords } from './csv';
import { SYMBOL_PATTERN } from './ticks';

export class NotACorporateActionsFileError extends Error {
  override name = 'NotACorporateActionsFileError';
}

export type Purpose =
  | { kind: 'split' | 'bonus'; factorNum: number; factorDen: number }
  | { kind: 'skipped'; category: 'dividend' | 'other' }
  | { kind: 'unreadable'; reason: string };

/** "Rs 10/-", "Rs.10/-", "Re 0.50/-", "Rs10": a face value in rupees. */
const RUPEES = String.raw`r[se]\.?\s*(\d+(?:\.\d+)?)`;
const SPLIT = new RegExp(String.raw`(?:from\s+)?${RUPEES}\s*(?:\/-)?.*?\bto\s+${RUPEES}`, 'i');
/** "Bonus 1:1", optionally with a dividend announced alongside ("Bonus 1:1 And Dividend - …"). */
const BONUS = /^bonus\s+(\d+)\s*:\s*(\d+)\s*(?:(?:and|&|\/)\s*.*dividend.*)?$/i;

/** Two decimals as integers in the same scale: 1 and 0.50 → 100 and 50 (exact, no float). */
function scaled(a: string, b: string): [number, number] {
  const decimals = Math.max(a.split('.')[1]?.length ?? 0, b.split('.')[1]?.length ?? 0);
  const toInt = (s: string) => {
    const [whole, fraction = ''] = s.split('.');
    return Number(`${whole}${fraction.padEnd(decimals, '0')}`);
  };
  return [toInt(a), toInt(b)];
}

/** What a PURPOSE text means for the share count. */
export function parsePurpose(purpose: string): Purpose {
  const text = purpose.replace(/\s+/g, ' ').trim();
  const mentionsSplit = /split|sub-?division/i.test(text);
  const mentionsBonus = /bonus/i.test(text);
  if (mentionsSplit && mentionsBonus)
    return { kind: 'unreadable', reason: 'a split and a bonus in one purpose' };
  if (mentionsSplit) {
    const m = SPLIT.exec(text);
    if (!m?.[1] || !m[2])
      return { kind: 'unreadable', reason: 'a split without "From Rs <a>/- To Rs <b>/-"' };
    const [from, to] = scaled(m[1], m[2]);
    if (!(from > to && to > 0) || from > 2 ** 31 - 1) {
      return {
        kind: 'unreadable',
        reason: `a split from Rs ${m[1]} to Rs ${m[2]} does not lower the face value`,
      };
    }
    return { kind: 'split', factorNum: from, factorDen: to };
  }
  if (mentionsBonus) {
    const m = BONUS.exec(text);
    // "Bonus Ncrps 1:116" (preference shares, no new equity) lands here too: reported.
    if (!m?.[1] || !m[2]) return { kind: 'unreadable', reason: 'a bonus without a plain "Bonus a:b" ratio' };
    const [a, b] = [Number(m[1]), Number(m[2])];
    if (a < 1 || b < 1 || a + b > 2 ** 31 - 1) return { kind: 'unreadable', reason: `bonus ratio ${a}:${b}` };
    return { kind: 'bonus', factorNum: a + b, factorDen: b };
  }
  if (/consolidat/i.test(text)) return { kind: 'unreadable', reason: 'a consolidation (not supported)' };
  return { kind: 'skipped', category: /dividend/i.test(text) ? 'dividend' : 'other' };
}

export interface CorporateAction {
  symbol: string;
  exDate: string;
  kind: 'split' | 'bonus';
  factorNum: number;
  factorDen: number;
  purpose: string;
  line: number;
}

export interface ParsedCorporateActions {
  actions: CorporateAction[];
  skipped: Record<string, number>;
  bad: { line: number; reason: string }[];
}

const COLUMNS = ['SYMBOL', 'SERIES', 'PURPOSE', 'EX-DATE'] as const;

/** Parse NSE's corporate-actions CSV (plain or zipped); throws when the header is not NSE's. */
export function parseCorporateActions(bytes: Uint8Array): ParsedCorporateActions {
  const records = fileRecords(bytes, (message) => new NotACorporateActionsFileError(message));
  const [header, ...rows] = records;
  const col = header && columnIndex(header.cells, COLUMNS);
  if (!col) {
    throw new NotACorporateActionsFileError(
      `its header lacks NSE's corporate-action columns ${COLUMNS.join(', ')}`,
    );
  }
  const actions: CorporateAction[] = [];
  const skipped: Record<string, number> = {};
  const bad: ParsedCorporateActions['bad'] = [];
  for (const { line, cells } of rows) {
    const symbol = cells[col.SYMBOL] ?? '';
    const purpose = (cells[col.PURPOSE] ?? '').replace(/\s+/g, ' ');
    const exDateText = cells[col['EX-DATE']] ?? '';
    const meaning = parsePurpose(purpose);
    if (meaning.kind === 'skipped') {
      skipped[meaning.category] = (skipped[meaning.category] ?? 0) + 1;
      continue;
    }
    const reject = (reason: string) => bad.push({ line, reason });
    if (meaning.kind === 'unreadable') reject(`PURPOSE "${purpose}": ${meaning.reason}; not imported`);
    else if (!SYMBOL_PATTERN.test(symbol)) reject(`SYMBOL "${symbol}" is not an NSE symbol`);
    else if (purpose.length > 500) reject('PURPOSE is longer than 500 characters');
    else {
      // Stryker disable next-line StringLiteral: any format but 'udiff' is read as DD-MON-YYYY
      const exDate = sessionDate(exDateText, 'legacy');
      if (!exDate) reject(`EX-DATE "${exDateText}" is not a date like 21-Sep-2026`);
      else actions.push({ symbol, exDate, purpose, line, ...meaning });
    }
  }
  return { actions, skipped, bad };
}
