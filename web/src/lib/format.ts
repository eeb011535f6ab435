/**
 * Display formats for India: money as INR with Indian digit grouping (₹1,00,700.00), times in
 * IST. The API sends money as JSON numbers with at most 2 decimals; they are only formatted
 * here, never summed.
 */

const inr = new Intl.NumberFormat('en-IN', { style: 'currency', currency: 'INR' });
const count = new Intl.NumberFormat('en-IN', { maximumFractionDigits: 0 });
const plain = new Intl.NumberFormat('en-IN', { maximumFractionDigits: 2 });
const dateTime = new Intl.DateTimeFormat('en-IN', {
  timeZone: 'Asia/Kolkata',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
  hour12: true,
});
const dateOnly = new Intl.DateTimeFormat('en-IN', {
  timeZone: 'UTC',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
});
const monthYear = new Intl.DateTimeFormat('en-IN', { timeZone: 'UTC', month: 'long', year: 'numeric' });

const inrCompact = new Intl.NumberFormat('en-IN', {
  style: 'currency',
  currency: 'INR',
  notation: 'compact',
  maximumFractionDigits: 1,
});

/** A chart axis label: `150000` → `₹1.5L` (lakh), `25000000` → `₹2.5Cr`. */
export const formatInrCompact = (amount: number): string => inrCompact.format(amount);

/** `100700` → `₹1,00,700.00`. */
export const formatInr = (amount: number): string => inr.format(amount);

/** A whole count with Indian grouping: `1200000` → `12,00,000`. */
export const formatCount = (n: number): string => count.format(n);

/** A plain number with up to 2 decimals (thresholds, prices without a currency sign). */
export const formatNumber = (n: number): string => plain.format(n);

/** An instant in IST: `2026-11-29T13:35:00Z` → `29 Nov 2026, 7:05 pm IST`. */
export function formatIstDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${dateTime.format(date)} IST`;
}

/** A calendar date (`YYYY-MM-DD`, already an IST date) → `3 Dec 2026`; no time-zone shift. */
export function formatDate(isoDate: string): string {
  const date = new Date(`${isoDate.slice(0, 10)}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? isoDate : dateOnly.format(date);
}

/** A billing period `2026-11` → `November 2026`. */
export function formatPeriod(period: string): string {
  const date = new Date(`${period}-01T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? period : monthYear.format(date);
}

/** A weight as a fraction → percent with one decimal: `0.6123` → `61.2%`. */
export const formatWeight = (fraction: number): string => `${(fraction * 100).toFixed(1)}%`;

/** A change in percent with its sign: `3.1` → `+3.10%`, `-5` → `−5.00%`, null → `—`. */
export function formatChange(pct: number | null | undefined): string {
  if (pct === null || pct === undefined) return '—';
  const text = Math.abs(pct).toFixed(2);
  if (Number(text) === 0) return '0.00%';
  return `${pct > 0 ? '+' : '\u2212'}${text}%`;
}
