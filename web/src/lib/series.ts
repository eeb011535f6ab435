/**
 * The numbers a reader takes from a line chart, for its text alternative: where the series
 * starts and ends, its lowest and highest point (the earliest one when a value repeats).
 */
export interface DatedValue {
  /** YYYY-MM-DD */
  date: string;
  value: number;
}

export interface SeriesSummary {
  first: DatedValue;
  last: DatedValue;
  lowest: DatedValue;
  highest: DatedValue;
}

/** Null for an empty series. */
export function summarizeSeries(points: readonly DatedValue[]): SeriesSummary | null {
  const first = points[0];
  const last = points[points.length - 1];
  if (!first || !last) return null;
  let lowest = first;
  let highest = first;
  for (const p of points) {
    if (p.value < lowest.value) lowest = p;
    if (p.value > highest.value) highest = p;
  }
  return { first, last, lowest, highest };
}
