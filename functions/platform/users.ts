/**
 * Users are created on first sight of their token's `sub`. A container remembers the subs it
 * has already recorded, so a warm function pays this round trip once per user, not per request.
 * A remembered user whose row was deleted since shows up as a foreign-key violation on the
 * next write (`isMissingUser`); the route then puts the row back (`recreateUser`, api.ts).
 */
import type { User } from './auth';
import { db } from './db';

const known = new Set<string>();
const MAX_REMEMBERED = 10_000;

export async function ensureUser(user: User): Promise<void> {
  if (known.has(user.sub)) return;
  const sql = await db();
  await sql`
    INSERT INTO users (sub, email) VALUES (${user.sub}, ${user.email})
    ON CONFLICT (sub) DO UPDATE SET email = COALESCE(EXCLUDED.email, users.email)
    WHERE users.email IS DISTINCT FROM COALESCE(EXCLUDED.email, users.email)`;
  if (known.size >= MAX_REMEMBERED) known.clear();
  known.add(user.sub);
}

/** Forget `user` and record it again (its row was deleted while a token of it is still valid). */
export async function recreateUser(user: User): Promise<void> {
  known.delete(user.sub);
  await ensureUser(user);
}

/**
 * True for a write refused because its user row does not exist: a foreign-key violation (23503)
 * of a `…_user_sub_fkey` constraint (every table's reference to users.sub).
 */
export function isMissingUser(error: unknown): boolean {
  const e = error as { code?: unknown; constraint_name?: unknown } | null;
  return (
    e?.code === '23503' &&
    typeof e.constraint_name === 'string' &&
    e.constraint_name.endsWith('_user_sub_fkey')
  );
}
