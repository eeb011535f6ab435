/**
 * Paging through a user's analyses (SPEC §9): `limit` and an opaque keyset cursor. Pure.
 *
 * The cursor is base64url JSON of the last item's (created_at to the microsecond, id): the next
 * page is everything strictly older in (created_at, id) order, so analyses that arrive while a
 * client pages never shift or repeat items. Anything that does not decode to exactly that shape
 * is a 400: a tampered cursor cannot reach SQL.
 */
const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

export interface Cursor {
  /** created_at, ISO-8601 UTC with microseconds: `2026-11-28T10:00:00.123456Z`. */
  t: string;
  /** The analysis id (uuid). */
  i: string;
}

const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify({ t: c.t, i: c.i }), 'utf8').toString('base64url');
}

/** The cursor, or null when it is not one we issued. */
export function decodeCursor(text: string): Cursor | null {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(text)) return null;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const { t, i, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0 || typeof t !== 'string' || typeof i !== 'string') return null;
  if (!TIME.test(t) || !isRealInstant(t) || !UUID.test(i)) return null;
  return { t, i };
}

/**
 * True when `t` (shape already checked) names an instant that exists, as PostgreSQL will read it.
 * Date.parse is lenient (30 February is 2 March, 24:00 the next day) where PostgreSQL refuses
 * (22008, which was a 500), so the time must survive a round trip unchanged; year 0000 does not
 * exist in PostgreSQL's calendar (1 BC is year -1 to JavaScript, 0 to ISO 8601).
 */
function isRealInstant(t: string): boolean {
  const millis = `${t.slice(0, 23)}Z`;
  const date = new Date(millis);
  return !Number.isNaN(date.getTime()) && date.getUTCFullYear() >= 1 && date.toISOString() === millis;
}

/** `?limit=`: a whole number 1–100, default 20; null when invalid. */
export function parseLimit(text: string | undefined): number | null {
  if (text === undefined) return DEFAULT_LIMIT;
  if (!/^\d{1,3}$/.test(text)) return null;
  const n = Number(text);
  return n >= 1 && n <= MAX_LIMIT ? n : null;
}
