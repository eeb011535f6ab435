-- Market history (issue 17, SPEC §11): daily bars per symbol and IST session, official bars
-- from NSE's bhavcopy, and corporate actions that adjust the history used for measures.

-- A tick's volume (shares traded in its session so far), kept like every optional field: the
-- value of the newest tick that carried it, with that tick's version.
ALTER TABLE latest_prices
  ADD COLUMN volume    bigint CHECK (volume >= 0),
  ADD COLUMN volume_v  text COLLATE "C";

-- One bar per symbol and session (the IST calendar date of a tick's ts). Built by the consumer
-- in its batch statement: open/close carry the version (functions/core/ticks.ts tickVersion)
-- of the tick they came from, so the earliest tick sets open and the latest sets close whatever
-- the order of delivery; high/low/volume are extremes. An imported bhavcopy bar is `official`:
-- it replaces the tick-built bar, and later ticks of that session leave it alone.
CREATE TABLE daily_bars (
  symbol      text NOT NULL CHECK (symbol ~ '^[A-Z0-9][A-Z0-9&_-]{0,19}$'),
  session     date NOT NULL,
  open        numeric(12, 2) NOT NULL CHECK (open > 0),
  high        numeric(12, 2) NOT NULL CHECK (high > 0),
  low         numeric(12, 2) NOT NULL CHECK (low > 0),
  close       numeric(12, 2) NOT NULL CHECK (close > 0),
  volume      bigint CHECK (volume >= 0),
  -- Versions of the ticks that set open and close; NULL on official bars.
  open_v      text COLLATE "C",
  close_v     text COLLATE "C",
  official    boolean NOT NULL DEFAULT false,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (symbol, session),
  CHECK (low <= high AND low <= open AND open <= high AND low <= close AND close <= high),
  CHECK (official OR (open_v IS NOT NULL AND close_v IS NOT NULL))
) WITH (fillfactor = 80);
-- Reads are per symbol over a range of sessions: the primary key serves them.

-- Splits and bonuses from NSE's corporate-actions file. Every price of the symbol's sessions
-- before ex_date is divided by factor_num / factor_den (volumes multiplied) when measures are
-- derived and history is served; daily_bars keeps the raw values. The exact ratio is kept as
-- two integers: a 3:2 bonus is 5/2, a split from Rs 10 to Rs 2 is 10/2.
CREATE TABLE corporate_actions (
  symbol       text NOT NULL CHECK (symbol ~ '^[A-Z0-9][A-Z0-9&_-]{0,19}$'),
  ex_date      date NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('split', 'bonus')),
  factor_num   integer NOT NULL CHECK (factor_num > 0),
  factor_den   integer NOT NULL CHECK (factor_den > 0),
  -- NSE's PURPOSE text as published: the same row imported twice is the same action.
  purpose      text NOT NULL CHECK (length(purpose) BETWEEN 1 AND 500),
  imported_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (symbol, ex_date, purpose)
);
