/**
 * Billing periods: calendar months in IST (Asia/Kolkata, SPEC §3), named `YYYY-MM`, and
 * calendar days. Pure: the clock is an argument. Day boundaries come from ./ist, never from the
 * host's local time zone.
 */
import { istDate, istDayStart } from './ist';

/** Days after the period's last day by which its bill is due. */
const GRACE_DAYS = 3;

const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const isoDate = (y: number, m: number, d: number) => {
  const date = new Date(Date.UTC(y, m - 1, d));
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
};

/** The billing period (`YYYY-MM`) an instant belongs to. */
export function periodOf(at: Date): string {
  return istDate(at).slice(0, 7);
}

export interface Period {
  /** `YYYY-MM`. */
  name: string;
  /** First and last calendar day, `YYYY-MM-DD`. */
  firstDay: string;
  lastDay: string;
  /** Half-open instant range [start, end). */
  start: Date;
  end: Date;
  /** Last day + GRACE_DAYS, `YYYY-MM-DD`. */
  dueDate: string;
}

/** Parse `YYYY-MM` into a Period; undefined when the text is not a valid month. */
export function parsePeriod(name: string): Period | undefined {
  const match = PERIOD.exec(name);
  if (!match) return undefined;
  const year = Number(match[1]);
  const month = Number(match[2]);
  if (year < 2000) return undefined;
  return {
    name,
    firstDay: isoDate(year, month, 1),
    lastDay: isoDate(year, month + 1, 0),
    start: istDayStart(year, month, 1),
    end: istDayStart(year, month + 1, 1),
    dueDate: isoDate(year, month + 1, GRACE_DAYS),
  };
}

/** The period an instant belongs to. */
export function periodAt(at: Date): Period {
  return parsePeriod(periodOf(at)) as Period;
}

/** Parse a calendar date `YYYY-MM-DD` into the instant range of that day; undefined if invalid. */
export function parseDay(text: string): { start: Date; end: Date } | undefined {
  const match = DATE.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 2000 || isoDate(year, month, day) !== text) return undefined;
  return { start: istDayStart(year, month, day), end: istDayStart(year, month, day + 1) };
}
