/**
 * The sector allocation as a doughnut (Chart.js, loaded lazily so it stays out of the initial
 * bundle). The canvas is decorative; the figure's accessible name lists every sector and weight.
 */
import { ArcElement, Chart, DoughnutController, Tooltip } from 'chart.js';
import { useEffect, useRef } from 'react';
import { SECTOR_COLOURS } from './sector-colours';

Chart.register(DoughnutController, ArcElement, Tooltip);

export default function SectorChart({ sectors }: { sectors: Array<[string, number]> }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const chart = new Chart(canvas.current, {
      type: 'doughnut',
      data: {
        labels: sectors.map(([name]) => name),
        datasets: [
          {
            data: sectors.map(([, weight]) => Math.round(weight * 1000) / 10),
            backgroundColor: sectors.map((_, i) => SECTOR_COLOURS[i % SECTOR_COLOURS.length] ?? '#6d6d6d'),
            borderWidth: 2,
            borderColor: '#ffffff',
          },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: true,
        cutout: '62%',
        animation: false,
        plugins: { tooltip: { callbacks: { label: (item) => ` ${item.label}: ${item.formattedValue}%` } } },
      },
    });
    return () => chart.destroy();
  }, [sectors]);
  return <canvas ref={canvas} />;
}
