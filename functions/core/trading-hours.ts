/**
 * NSE trading hours (SPEC §11 "Feed health"): the regular session runs 09:15–15:30 IST, Monday
 * to Friday, except the exchange's trading holidays; a session is named by its IST date (./ist).
 *
 * The holiday list is data (data/nse-holidays.json), handed in by the caller: this module stays
 * pure. A year missing from the list is reported as `unknown_calendar`, never guessed: callers
 * then treat a weekday's trading hours as open (a dead feed is never hidden) and say so.
 */
import { DAY_MS, IST_OFFSET_MS, istDate } from './ist';

/** The exchange's weekday trading holidays, by year ('2026' → ['2026-01-26', …]). */
export interface HolidayCalendar {
  readonly years: Readonly<Record<string, readonly string[]>>;
}

export type MarketState =
  /** A regular session is running; `sessionOpen` is today's 09:15 IST. */
  | { readonly market: 'open'; readonly session: string; readonly sessionOpen: Date }
  | {
      readonly market: 'closed';
      readonly session: string;
      readonly reason: 'weekend' | 'holiday' | 'outside_hours';
    }
  /** A weekday in trading hours of a year the holiday list does not cover. */
  | { readonly market: 'unknown_calendar'; readonly session: string; readonly sessionOpen: Date };

/** 09:15:00.000 IST, as milliseconds after IST midnight. */
const OPEN_MS = (9 * 60 + 15) * 60_000;
/** 15:30:00.000 IST: the last instant of the session (15:30:00.001 is closed). */
const CLOSE_MS = (15 * 60 + 30) * 60_000;

/** Whether NSE's regular session is running at `now`, per `calendar`. */
export function marketState(now: Date, calendar: HolidayCalendar): MarketState {
  const ist = now.getTime() + IST_OFFSET_MS;
  const sinceMidnight = ((ist % DAY_MS) + DAY_MS) % DAY_MS;
  const session = istDate(now);
  const weekday = new Date(ist).getUTCDay();
  if (weekday === 0 || weekday === 6) return { market: 'closed', session, reason: 'weekend' };
  if (sinceMidnight < OPEN_MS || sinceMidnight > CLOSE_MS) {
    return { market: 'closed', session, reason: 'outside_hours' };
  }
  const sessionOpen = new Date(ist - sinceMidnight + OPEN_MS - IST_OFFSET_MS);
  const holidays = calendar.years[session.slice(0, 4)];
  if (!holidays) return { market: 'unknown_calendar', session, sessionOpen };
  if (holidays.includes(session)) return { market: 'closed', session, reason: 'holiday' };
  return { market: 'open', session, sessionOpen };
}

/**
 * The instant before which a symbol's last tick makes it stale (`/health`), or null when no
 * symbol can be stale: the market is closed, or the session has not yet run `staleAfterMs`
 * (at 09:20 a symbol last ticked yesterday has been silent for 5 trading minutes, not 18 hours).
 */
export function staleBefore(now: Date, state: MarketState, staleAfterMs: number): Date | null {
  if (state.market === 'closed') return null;
  const cutoff = now.getTime() - staleAfterMs;
  return cutoff >= state.sessionOpen.getTime() ? new Date(cutoff) : null;
}

/**
 * Seconds of trading time since the newest tick, for the feed-staleness alarm; null outside
 * trading hours (nothing is emitted, and the alarm treats missing data as fine). Time before
 * today's open does not count, so the alarm cannot fire in the first minutes of a session
 * because yesterday's last tick is old. With no tick at all, the session's age is used.
 */
export function newestTickAgeSeconds(now: Date, newestTick: Date | null, state: MarketState): number | null {
  if (state.market === 'closed') return null;
  const since = Math.max(newestTick?.getTime() ?? 0, state.sessionOpen.getTime());
  return Math.max(0, Math.floor((now.getTime() - since) / 1000));
}

/**
 * Whether the holiday list covers the year of `now` and of `aheadDays` later (IST): a false
 * here is the operator's cue to add next year's list before the feed alarm has to guess.
 */
export function calendarCovers(now: Date, calendar: HolidayCalendar, aheadDays: number): boolean {
  const later = new Date(now.getTime() + aheadDays * DAY_MS);
  return [istDate(now), istDate(later)].every((d) => calendar.years[d.slice(0, 4)] !== undefined);
}
