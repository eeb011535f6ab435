/**
 * The canvas behind LineChart (Chart.js, in its own lazily loaded chunk). Decorative to
 * assistive technology: the figure around it carries the name.
 */
import {
  CategoryScale,
  Chart,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import { useEffect, useRef } from 'react';
import type { LinePoint } from './LineChart';

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Tooltip);

export default function LineChartCanvas({
  points,
  formatValue,
  formatTick,
}: {
  points: LinePoint[];
  formatValue: (value: number) => string;
  formatTick: (value: number) => string;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const chart = new Chart(canvas.current, {
      type: 'line',
      data: {
        labels: points.map((p) => p.label),
        datasets: [
          {
            data: points.map((p) => p.value),
            borderColor: '#1f4fd8',
            borderWidth: 2,
            pointRadius: 0,
            pointHitRadius: 8,
            tension: 0,
          },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        // Room for the line's last point, which otherwise touches the card's edge.
        layout: { padding: { right: 8 } },
        interaction: { mode: 'index', intersect: false },
        scales: {
          x: { ticks: { maxTicksLimit: 4, maxRotation: 0 }, grid: { display: false } },
          y: { ticks: { maxTicksLimit: 5, callback: (v) => formatTick(Number(v)) } },
        },
        plugins: { tooltip: { callbacks: { label: (item) => ` ${formatValue(Number(item.raw))}` } } },
      },
    });
    return () => chart.destroy();
  }, [points, formatValue, formatTick]);
  return <canvas ref={canvas} />;
}
