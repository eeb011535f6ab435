/**
 * The sector palette, in its own module so the legend (initial bundle) and the lazily loaded
 * chart share it without the legend pulling in Chart.js. The `.swatch-<i>` classes in
 * app/styles.css use the same colours in the same order.
 */
export const SECTOR_COLOURS = [
  '#1f4fd8',
  '#0f9d8a',
  '#f29d38',
  '#8e44ad',
  '#d64545',
  '#5b8def',
  '#2e7d32',
  '#b8860b',
  '#6d6d6d',
] as const;
