-- Portfolio risk (issue 18, SPEC §12) makes analyze read each holding's last 79 closes in its one
-- read. Through the primary key that is one heap fetch per bar, since one symbol's bars lie on
-- as many pages as there are sessions (the imports write day by day). This index carries the
-- close beside the key, so the read is an index-only scan over a few leaf pages per symbol.
-- Measured with `npm run bench` (docs/risk.md "Performance"): risk on/off 80 % of the requests/s
-- without it, 93 % with it.
-- The cost: an update of a bar's close can no longer be HOT, so the consumer's upsert of the
-- current session's bar also writes this index (docs/risk.md weighs it). No grants: an index is
-- used by whoever may read the table.
CREATE INDEX daily_bars_closes ON daily_bars (symbol, session) INCLUDE (close);
