/**
 * Persistence of API keys: create (at most 10 active per user, race-safe), list, revoke, and
 * the lookup by hash that authenticates a request.
 *
 * The lookup is a SQL fragment (`keyLookup`) so that POST /api/analyze can fold it into the one
 * query it makes anyway (analysis/analysis-store.ts): a key costs analyze no extra round trip.
 * `last_used_at` is moved by a conditional update in the same statement, at most once a minute
 * per key: a busy key writes once a minute, not once per request.
 */
import { MAX_ACTIVE_KEYS } from '../core/api-keys';
import type { KeyOwner } from '../platform/api';
import { db, type Sql } from '../platform/db';

export interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** The platform's shape (platform/api.ts): this store is the lookup accounts/routes.ts injects. */
export type { KeyOwner };

export type CreateOutcome = { kind: 'created'; key: ApiKeyRow } | { kind: 'limit' };

export interface KeyStore {
  create(k: {
    id: string;
    userSub: string;
    name: string;
    prefix: string;
    hash: string;
  }): Promise<CreateOutcome>;
  /** The user's keys, newest first, revoked ones included (at most `LIST_LIMIT`). */
  list(userSub: string): Promise<ApiKeyRow[]>;
  /**
   * Whether the user has a key with this id, and whether it is revoked: null for an unknown id
   * and for another user's (the two look alike to the caller). DELETE /api/keys/{id} asks before
   * it journals, so the journal records only revocations that happen.
   */
  state(userSub: string, id: string): Promise<'active' | 'revoked' | null>;
  /** Revoke one of the user's keys; false when the user has no key with that id. Idempotent. */
  revoke(userSub: string, id: string): Promise<boolean>;
  /** The owner of an active key with this SHA-256 (hex), or null. Touches last_used_at. */
  authenticate(hash: string): Promise<KeyOwner | null>;
}

const LIST_LIMIT = 100;

/** ISO-8601 UTC with milliseconds, as every timestamp of the API. */
const isoUtc = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * CTEs `api_key` (the active key whose hash is parameter `$n`, hex; no row for NULL) and
 * `api_key_touch` (its last_used_at, moved when older than a minute). A data-modifying CTE runs
 * once whether or not the query reads it. Under concurrent requests the second updater re-checks
 * the condition after the first commits and skips: still one write per key per minute.
 */
export const keyLookup = (param: string) => `
api_key AS (
  SELECT id, user_sub FROM api_keys
  WHERE key_hash = decode(${param}::text, 'hex') AND revoked_at IS NULL
), api_key_touch AS (
  UPDATE api_keys SET last_used_at = now()
  WHERE id = (SELECT id FROM api_key)
    AND (last_used_at IS NULL OR last_used_at <= now() - interval '1 minute')
  RETURNING 1
)`;

const COLUMNS = `id, name, prefix, ${isoUtc('created_at')} AS created_at,
  ${isoUtc('last_used_at')} AS last_used_at, ${isoUtc('revoked_at')} AS revoked_at`;

function sqlKeyStore(sql: Sql): KeyStore {
  return {
    async create(k) {
      return sql.begin(async (tx) => {
        // Lock the owner's row so concurrent creations count one after another: two requests
        // can never both see 9 active keys and both insert.
        await tx`SELECT 1 FROM users WHERE sub = ${k.userSub} FOR UPDATE`;
        const [row] = await tx.unsafe<[ApiKeyRow?]>(
          `INSERT INTO api_keys (id, user_sub, name, prefix, key_hash, created_at)
           SELECT $1::uuid, $2, $3, $4, decode($5::text, 'hex'), now()
           WHERE (SELECT count(*) FROM api_keys WHERE user_sub = $2 AND revoked_at IS NULL) < $6
           RETURNING ${COLUMNS}`,
          [k.id, k.userSub, k.name, k.prefix, k.hash, MAX_ACTIVE_KEYS],
        );
        return row ? { kind: 'created', key: row } : { kind: 'limit' };
      });
    },

    async list(userSub) {
      return sql.unsafe<ApiKeyRow[]>(
        `SELECT ${COLUMNS} FROM api_keys WHERE user_sub = $1
         ORDER BY created_at DESC, id DESC LIMIT ${LIST_LIMIT}`,
        [userSub],
      );
    },

    async state(userSub, id) {
      const [row] = await sql<[{ revoked: boolean }?]>`
        SELECT revoked_at IS NOT NULL AS revoked FROM api_keys
        WHERE id = ${id}::uuid AND user_sub = ${userSub}`;
      if (!row) return null;
      return row.revoked ? 'revoked' : 'active';
    },

    async revoke(userSub, id) {
      const rows = await sql`
        UPDATE api_keys SET revoked_at = coalesce(revoked_at, now())
        WHERE id = ${id}::uuid AND user_sub = ${userSub}
        RETURNING id`;
      return rows.length > 0;
    },

    async authenticate(hash) {
      const [row] = await sql.unsafe<[{ id: string; user_sub: string }?]>(
        `WITH ${keyLookup('$1')} SELECT id, user_sub FROM api_key`,
        [hash],
      );
      return row ? { keyId: row.id, userSub: row.user_sub } : null;
    },
  };
}

export async function defaultKeyStore(): Promise<KeyStore> {
  return sqlKeyStore(await db());
}
