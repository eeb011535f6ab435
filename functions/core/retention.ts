/**
 * How long stored portfolios and answers are kept (SPEC §9, docs/retention.md). Pure: the clock
 * is an argument.
 *
 * Retention counts whole IST calendar days (Asia/Kolkata, the zone of every date the product
 * shows): an analysis made on IST day D is kept while D is on or after today (IST) minus
 * `months` calendar months, and pruned by the first daily run after that. Counting days, not
 * instants, makes the result independent of the hour the job runs. A month that lacks the day
 * (31 March − 1 month) clamps to its last day, as PostgreSQL's interval arithmetic does.
 */
import { istDate, istDayStart } from './ist';

export const DEFAULT_RETENTION_MONTHS = 13;
/** Bounds of the setting: at least a month (a user may still be looking); at most 10 years. */
export const MIN_RETENTION_MONTHS = 1;
export const MAX_RETENTION_MONTHS = 120;

/** Analyses created before this instant are past retention at `now`. */
export function retentionCutoff(now: Date, months: number): Date {
  if (!Number.isInteger(months) || months < MIN_RETENTION_MONTHS || months > MAX_RETENTION_MONTHS) {
    throw new RangeError(`retention must be ${MIN_RETENTION_MONTHS}-${MAX_RETENTION_MONTHS} whole months`);
  }
  const [year, month, day] = istDate(now).split('-').map(Number) as [number, number, number];
  const index = year * 12 + (month - 1) - months;
  const y = Math.floor(index / 12);
  const m = (index % 12) + 1;
  const lastDay = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return istDayStart(y, m, Math.min(day, lastDay));
}
