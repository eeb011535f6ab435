import { lazy, Suspense } from 'react';

const LineChartCanvas = lazy(() => import('./LineChartCanvas'));

export interface LinePoint {
  /** The x label (a session, already formatted for reading). */
  label: string;
  value: number;
}

/**
 * A line chart as one image to assistive technology: `alt` names it and carries the numbers a
 * sighted reader takes from the line. Chart.js is loaded lazily, so it stays out of the initial
 * bundle (the placeholder keeps the layout from jumping while it loads).
 */
export function LineChart({
  points,
  alt,
  formatValue,
  formatTick,
}: {
  points: LinePoint[];
  alt: string;
  /** For the tooltip: the exact value. */
  formatValue: (value: number) => string;
  /** For the y axis: short enough to leave room for the line on a phone. */
  formatTick: (value: number) => string;
}) {
  return (
    <figure className="line-chart" role="img" aria-label={alt}>
      <Suspense fallback={<div className="line-chart-placeholder" />}>
        <LineChartCanvas points={points} formatValue={formatValue} formatTick={formatTick} />
      </Suspense>
    </figure>
  );
}
