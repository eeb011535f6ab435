/**
 * Billing periods: calendar months in Asia/Kolkata (SPEC §3), named `YYYY-MM`.
 * Pure: the clock is an argument. Day boundaries are computed through Intl with the zone
 * named explicitly, never from the host's local time zone.
 */

export const BILLING_TIME_ZONE = 'Asia/Kolkata';
/** Days after the period's last day by which its bill is due. */
export const GRACE_DAYS = 3;

const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const parts = new Intl.DateTimeFormat('en-CA', {
  timeZone: BILLING_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** Wall-clock fields of an instant in the billing zone. */
function zoned(at: Date): { year: number; month: number; day: number; offsetMs: number } {
  const f = Object.fromEntries(parts.formatToParts(at).map((p) => [p.type, p.value]));
  const [year, month, day] = [Number(f.year), Number(f.month), Number(f.day)];
  const wall = Date.UTC(year, month - 1, day, Number(f.hour), Number(f.minute), Number(f.second));
  return { year, month, day, offsetMs: wall - Math.floor(at.getTime() / 1000) * 1000 };
}

/** The instant a calendar day starts in the billing zone (days may be out of range: 32 → next month). */
export function startOfDay(year: number, month: number, day: number): Date {
  const utcMidnight = Date.UTC(year, month - 1, day);
  // Stryker disable next-line ArithmeticOperator: Asia/Kolkata has one fixed offset, so the correction below gives the same instant from any guess.
  const guess = utcMidnight - zoned(new Date(utcMidnight)).offsetMs;
  // Correct once in case the offset differs at the guessed instant.
  return new Date(utcMidnight - zoned(new Date(guess)).offsetMs);
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const isoDate = (y: number, m: number, d: number) => {
  const date = new Date(Date.UTC(y, m - 1, d));
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
};

/** The billing period (`YYYY-MM`) an instant belongs to. */
export function periodOf(at: Date): string {
  const { year, month } = zoned(at);
  return `${pad(year, 4)}-${pad(month)}`;
}

/** The calendar date (`YYYY-MM-DD`) of an instant in the billing zone. */
export function dateOf(at: Date): string {
  const { year, month, day } = zoned(at);
  return isoDate(year, month, day);
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
    start: startOfDay(year, month, 1),
    end: startOfDay(year, month + 1, 1),
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
  return { start: startOfDay(year, month, day), end: startOfDay(year, month, day + 1) };
}
