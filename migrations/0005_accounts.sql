-- Accounts (issue 11, SPEC §9): API keys, analysis history, per-user advice rule settings.

-- API keys. Only SHA-256 of the key is kept (functions/core/api-keys.ts); a request's key is
-- found by that hash under the unique index, never by comparing keys in a loop. A key is never
-- deleted, only revoked, so analyses can keep naming the key that made them.
CREATE TABLE api_keys (
  id            uuid PRIMARY KEY,
  user_sub      text NOT NULL REFERENCES users (sub) ON DELETE CASCADE,
  name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  -- The first 8 characters after `sck_`, shown in lists so an owner can tell keys apart.
  prefix        text NOT NULL CHECK (prefix ~ '^[A-Za-z0-9_-]{8}$'),
  key_hash      bytea NOT NULL CHECK (length(key_hash) = 32),
  created_at    timestamptz NOT NULL,
  -- Updated at most once a minute per key (the lookup's conditional update), not per request.
  last_used_at  timestamptz,
  revoked_at    timestamptz,
  CONSTRAINT api_keys_hash UNIQUE (key_hash)
);
-- GET /api/keys (newest first) and the count of active keys when creating one.
CREATE INDEX api_keys_user ON api_keys (user_sub, created_at DESC, id DESC);

-- Which key made an analysis (NULL: an access token), and the rule settings it used (NULL for
-- analyses older than this migration: they used the configured defaults).
ALTER TABLE analyses
  ADD COLUMN api_key_id uuid REFERENCES api_keys (id),
  ADD COLUMN rule_settings jsonb;

-- GET /api/analyses: one user's analyses newest first, keyset-paginated on (created_at, id).
-- The index delivers rows in that order, so each page is a short index range scan however long
-- the history (bench/analyze.ts prints the plan at 1,000,000 analyses). It costs each analyze
-- one index insert, which migration 0002 avoided while no route listed analyses.
CREATE INDEX analyses_user_created ON analyses (user_sub, created_at DESC, id DESC);

-- Per-user advice rule settings: only what the user changed, per rule
-- ({"concentration": {"enabled": false}, "sharp_drop": {"threshold": -8}}); everything else
-- follows the configured defaults (functions/core/rule-settings.ts merges them).
CREATE TABLE rule_settings (
  user_sub    text PRIMARY KEY REFERENCES users (sub) ON DELETE CASCADE,
  rules       jsonb NOT NULL CHECK (jsonb_typeof(rules) = 'object'),
  updated_at  timestamptz NOT NULL
);
