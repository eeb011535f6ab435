/**
 * The portfolio being typed, kept in sessionStorage on every change: an expired session sends
 * the user to sign-in and back without losing it. Cleared on "Sign out".
 */
import { useCallback, useEffect, useState } from 'react';
import type { DraftRow } from '../types';

const DRAFT_KEY = 'stock-consultant.draft';

let counter = 0;
const newRow = (symbol = '', quantity = ''): DraftRow => ({
  key: `row-${Date.now().toString(36)}-${counter++}`,
  symbol,
  quantity,
});

function load(): DraftRow[] {
  try {
    const raw = JSON.parse(sessionStorage.getItem(DRAFT_KEY) ?? 'null') as unknown;
    if (Array.isArray(raw) && raw.length > 0)
      return raw
        .filter(
          (r): r is { symbol: string; quantity: string } =>
            typeof r?.symbol === 'string' && typeof r?.quantity === 'string',
        )
        .map((r) => newRow(r.symbol, r.quantity));
  } catch {
    // a damaged draft is dropped
  }
  return [newRow()];
}

export function clearDraft(): void {
  sessionStorage.removeItem(DRAFT_KEY);
}

export function useDraft() {
  const [rows, setRows] = useState<DraftRow[]>(load);
  useEffect(() => {
    sessionStorage.setItem(
      DRAFT_KEY,
      JSON.stringify(rows.map(({ symbol, quantity }) => ({ symbol, quantity }))),
    );
  }, [rows]);
  const update = useCallback(
    (key: string, patch: Partial<Omit<DraftRow, 'key'>>) =>
      setRows((all) => all.map((r) => (r.key === key ? { ...r, ...patch } : r))),
    [],
  );
  const add = useCallback(() => {
    const row = newRow();
    setRows((all) => [...all, row]);
    return row;
  }, []);
  const remove = useCallback((key: string) => setRows((all) => all.filter((r) => r.key !== key)), []);
  const replace = useCallback(
    (holdings: Array<{ symbol: string; quantity: number }>) =>
      setRows(holdings.map((h) => newRow(h.symbol, String(h.quantity)))),
    [],
  );
  return { rows, update, add, remove, replace };
}
