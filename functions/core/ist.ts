/**
 * India Standard Time: the zone of every calendar date the product shows, bills or trades by
 * (SPEC §3 billing periods and days, §9 retention, §10 reconciliation days, §11 NSE sessions).
 * IST is UTC+05:30 all year: India has had no daylight saving and no offset change since 1945,
 * so a fixed offset is exact for every date the product handles (its days start in 2000) and
 * agrees with PostgreSQL's `AT TIME ZONE 'Asia/Kolkata'` without a time-zone database.
 */

/** UTC+05:30. */
export const IST_OFFSET_MS = 330 * 60_000;
export const DAY_MS = 86_400_000;

/** The IST calendar date (`YYYY-MM-DD`) of an instant, given as a Date or epoch milliseconds. */
export function istDate(at: Date | number): string {
  const ms = typeof at === 'number' ? at : at.getTime();
  return new Date(ms + IST_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant an IST calendar day starts (days may be out of range: day 32 → the next month). */
export function istDayStart(year: number, month: number, day: number): Date {
  return new Date(Date.UTC(year, month - 1, day) - IST_OFFSET_MS);
}
