-- Users, keyed by the Cognito `sub` of their access token; created on first request.
CREATE TABLE users (
  sub         text PRIMARY KEY CHECK (length(sub) BETWEEN 1 AND 255),
  email       text CHECK (length(email) <= 320),
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- The latest price per symbol. Each field carries the version (ts, sequence number) it came
-- from, encoded as one string that sorts bytewise (see functions/core/ticks.ts tickVersion), so
-- a field is only ever replaced by a newer tick: any order of delivery yields the same row.
-- fillfactor leaves room on each page so the constant updates stay HOT (no index churn).
CREATE TABLE latest_prices (
  symbol            text PRIMARY KEY CHECK (symbol ~ '^[A-Z0-9][A-Z0-9&_-]{0,19}$'),
  price             numeric(10, 2) NOT NULL CHECK (price > 0 AND price <= 10000000),
  ts                timestamptz NOT NULL,
  sequence_number   text NOT NULL,
  price_v           text COLLATE "C" NOT NULL,
  name              text CHECK (length(name) <= 200),
  name_v            text COLLATE "C",
  sector            text CHECK (length(sector) <= 200),
  sector_v          text COLLATE "C",
  change_1d_pct     double precision CHECK (change_1d_pct BETWEEN -100 AND 10000),
  change_1d_pct_v   text COLLATE "C",
  change_7d_pct     double precision CHECK (change_7d_pct BETWEEN -100 AND 10000),
  change_7d_pct_v   text COLLATE "C",
  volatility        double precision CHECK (volatility BETWEEN 0 AND 10),
  volatility_v      text COLLATE "C",
  market_cap_cr     double precision CHECK (market_cap_cr >= 0),
  market_cap_cr_v   text COLLATE "C",
  updated_at        timestamptz NOT NULL DEFAULT now()
) WITH (fillfactor = 70);

-- Records that can never succeed, kept with their raw bytes and the reason, so they neither
-- block the shard nor vanish. `event_id` (shard + sequence number) makes a replay a no-op.
CREATE TABLE quarantined_ticks (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id         text NOT NULL UNIQUE,
  sequence_number  text NOT NULL,
  partition_key    text,
  raw_data         bytea NOT NULL,
  reason           text NOT NULL,
  arrived_at       timestamptz,
  quarantined_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX quarantined_ticks_quarantined_at ON quarantined_ticks (quarantined_at);
