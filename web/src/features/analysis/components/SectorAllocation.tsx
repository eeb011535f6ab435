import { lazy, Suspense } from 'react';
import { formatWeight } from '../../../lib/format';
import { SECTOR_COLOURS } from './sector-colours';

const SectorChart = lazy(() => import('./SectorChart'));

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
            <span className={`swatch swatch-${i % SECTOR_COLOURS.length}`} />
            <bdi className="legend-name">{name}</bdi>
            <span className="legend-value">{formatWeight(weight)}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
