/**
 * Users are created on first sight of their token's `sub`. A container remembers the subs it
 * has already recorded, so a warm function pays this round trip once per user, not per request.
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
