import { lazy, Suspense } from 'react';
import { formatWeight } from '../../../lib/format';

const SectorChart = lazy(() => import('./SectorChart'));
// Kept here too (not imported from the chart module) so the legend needs no chart code.
const COLOURS = [
  '#1f4fd8',
  '#0f9d8a',
  '#f29d38',
  '#8e44ad',
  '#d64545',
  '#5b8def',
  '#2e7d32',
  '#b8860b',
  '#6d6d6d',
];

/** Chart plus legend; the figure is one image to assistive technology, named with the numbers. */
export function SectorAllocation({ sectors }: { sectors: Record<string, number> }) {
  const entries = Object.entries(sectors).sort((a, b) => b[1] - a[1]);
  const alt = `Sector allocation: ${entries.map(([name, w]) => `${name} ${formatWeight(w)}`).join(', ')}`;
  return (
    <div className="sectors">
      <figure className="chart" role="img" aria-label={alt}>
        <Suspense fallback={<div className="chart-placeholder" />}>
          <SectorChart sectors={entries} />
        </Suspense>
      </figure>
      <ul className="legend" aria-hidden="true">
        {entries.map(([name, weight], i) => (
          <li key={name}>
            <span className={`swatch swatch-${i % COLOURS.length}`} />
            <span className="legend-name">{name}</span>
            <span className="legend-value">{formatWeight(weight)}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
