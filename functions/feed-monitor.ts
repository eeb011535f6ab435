/**
 * Feed monitor (SPEC §11 "Feed health"): an EventBridge schedule runs it every minute. During
 * NSE trading hours it publishes `NewestTickAgeSeconds`, the trading time since the newest
 * tick; outside them (nights, weekends, NSE holidays) it publishes nothing, and the alarm
 * treats missing data as fine, so silence when the market is closed raises nothing.
 *
 * `HolidayCalendarMissing` is published on every run: 1 when data/nse-holidays.json lacks this
 * year or the year two weeks ahead (its own alarm: add next year's list, which NSE publishes in
 * December). While a year is missing, weekday trading hours count as open, so a dead feed is
 * never hidden; the cost is a possible false alarm on an unlisted holiday.
 */
import {
  calendarCovers,
  type HolidayCalendar,
  marketState,
  newestTickAgeSeconds,
} from './core/trading-hours';
import { NSE_CALENDAR } from './market/feed-health';
import {
  CALENDAR_MISSING_METRIC,
  FEED_MONITOR_SERVICE,
  NEWEST_TICK_AGE_METRIC,
} from './market/feed-health-names';
import { db, type Sql } from './platform/db';
import { MetricUnit, powertools } from './platform/powertools';

const tools = powertools(FEED_MONITOR_SERVICE);

export { CALENDAR_MISSING_METRIC, NEWEST_TICK_AGE_METRIC };

/** How far ahead the holiday list must reach (NSE publishes next year's in mid-December). */
const CALENDAR_AHEAD_DAYS = 14;

/** One run: what was decided, and the metrics published. */
export async function monitorFeed(
  sql: () => Promise<Sql>,
  now: Date,
  t: ReturnType<typeof powertools> = tools,
  /** The holiday list (tests give a fixed one, so adding a year to data/ changes no test). */
  calendar: HolidayCalendar = NSE_CALENDAR,
): Promise<{ market: string; newestTickAgeSeconds: number | null }> {
  const state = marketState(now, calendar);
  let age: number | null = null;
  try {
    const covered = calendarCovers(now, calendar, CALENDAR_AHEAD_DAYS);
    t.metrics.addMetric(CALENDAR_MISSING_METRIC, MetricUnit.Count, covered ? 0 : 1);
    if (state.market !== 'closed') {
      const [row]: [{ newest: Date | null }?] =
        await (await sql())`SELECT max(ts) AS newest FROM latest_prices`;
      age = newestTickAgeSeconds(now, row?.newest ?? null, state);
      if (age !== null) t.metrics.addMetric(NEWEST_TICK_AGE_METRIC, MetricUnit.Seconds, age);
    }
  } finally {
    t.metrics.publishStoredMetrics();
  }
  if (state.market === 'unknown_calendar') {
    t.logger.warn('NSE holiday list lacks this year: counting weekday trading hours as open', {
      session: state.session,
    });
  }
  return { market: state.market, newestTickAgeSeconds: age };
}

/** The database client is made on first need: outside trading hours a run touches no database. */
export const handler = async () => monitorFeed(db, new Date());
