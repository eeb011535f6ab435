/**
 * Names the market-data functions and the CDK app (lib/constructs/feed-monitor.ts,
 * market-data.ts) both use, defined once so an alarm cannot watch a metric no code emits.
 * Plain constants: the CDK app imports this file without loading any function code.
 */

/** POWERTOOLS_SERVICE_NAME of functions/feed-monitor.ts. */
export const FEED_MONITOR_SERVICE = 'feed-monitor';
/** Trading seconds since the newest tick; published only during NSE trading hours. */
export const NEWEST_TICK_AGE_METRIC = 'NewestTickAgeSeconds';
/** 1 when data/nse-holidays.json lacks this year or the year two weeks ahead. */
export const CALENDAR_MISSING_METRIC = 'HolidayCalendarMissing';

/** POWERTOOLS_SERVICE_NAME of functions/bhavcopy-import.ts. */
export const BHAVCOPY_IMPORT_SERVICE = 'bhavcopy-import';
/** The largest bhavcopy file imported: a UDiFF day is ~1 MB plain, a legacy one ~0.5 MB. */
export const BHAVCOPY_DEFAULT_MAX_BYTES = 20 * 1024 * 1024;
