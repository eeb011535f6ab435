/**
 * Reading a portfolio from CSV: `symbol,quantity` per line, an optional header line, blank lines
 * ignored. The first bad line stops the import with its line number, so nothing half-read is sent.
 */
import { MAX_HOLDINGS, normalizeSymbol, quantityProblem, symbolProblem } from './rules';

export type CsvResult =
  | { ok: true; holdings: Array<{ symbol: string; quantity: number }> }
  | { ok: false; line: number; message: string };

const HEADER = /^\s*"?symbol"?\s*,\s*"?quantity"?\s*$/i;

/** Split one line into cells, honouring double quotes (`"M&M",5`, `"A ""B""",1`). */
function cells(line: string): string[] {
  const out: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cell);
      cell = '';
    } else cell += c;
  }
  out.push(cell);
  return out.map((c) => c.trim());
}

export function parseHoldingsCsv(text: string): CsvResult {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const holdings: Array<{ symbol: string; quantity: number }> = [];
  let seenContent = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const number = i + 1;
    if (!line.trim()) continue;
    if (!seenContent) {
      seenContent = true;
      if (HEADER.test(line)) continue;
    }
    const row = cells(line);
    if (row.length !== 2)
      return {
        ok: false,
        line: number,
        message: `Line ${number}: expected 2 values (symbol,quantity), found ${row.length}`,
      };
    const [symbol = '', quantity = ''] = row;
    const s = symbolProblem(symbol);
    if (s)
      return {
        ok: false,
        line: number,
        message: `Line ${number}: ${s.charAt(0).toLowerCase()}${s.slice(1)}`,
      };
    const q = quantityProblem(quantity);
    if (q)
      return {
        ok: false,
        line: number,
        message: `Line ${number}: ${q.charAt(0).toLowerCase()}${q.slice(1)}`,
      };
    holdings.push({ symbol: normalizeSymbol(symbol), quantity: Number(quantity) });
    if (holdings.length > MAX_HOLDINGS)
      return {
        ok: false,
        line: number,
        message: `Line ${number}: a portfolio can have at most ${MAX_HOLDINGS} holdings`,
      };
  }
  if (holdings.length === 0) return { ok: false, line: 1, message: 'Line 1: the file has no holdings' };
  return { ok: true, holdings };
}
