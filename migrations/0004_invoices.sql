-- Monthly invoices (issue 5, deliverable 3). See docs/billing.md "Invoices".
--
-- The close-month job (functions/invoices.ts) turns each ended Asia/Kolkata month of a user's
-- usage ledger into one invoice with one line per (feature, snapshotted unit price). The
-- mark-overdue job adds exactly one late-fee line to an unpaid invoice after its due date.
-- Every guarantee that must hold under concurrent or repeated runs is a constraint here:
-- one invoice per (user, month), unique numbers, at most one late-fee line per invoice.

-- Per-month invoice counters. The close-month job locks its month's row for the whole
-- transaction, so numbers within a month are consecutive and never handed out twice.
CREATE TABLE invoice_counters (
  period       date PRIMARY KEY CHECK (extract(day FROM period) = 1),
  last_number  integer NOT NULL CHECK (last_number >= 0)
);

CREATE TABLE invoices (
  id                 uuid PRIMARY KEY,
  -- 'SC-<YYYY>-<MM>-<counter of that month, ≥ 6 digits>', fixed at issue, never reused.
  number             text NOT NULL UNIQUE CHECK (number ~ '^SC-\d{4}-\d{2}-\d{6,}$'),
  user_sub           text NOT NULL REFERENCES users (sub),
  -- The billing month as its first day (as usage_events.billing_period).
  period             date NOT NULL CHECK (extract(day FROM period) = 1),
  status             text NOT NULL CHECK (status IN ('issued', 'overdue', 'paid')),
  subtotal_paise     bigint NOT NULL CHECK (subtotal_paise >= 0),
  late_fee_paise     bigint NOT NULL DEFAULT 0 CHECK (late_fee_paise >= 0),
  total_paise        bigint NOT NULL,
  currency           text NOT NULL DEFAULT 'INR' CHECK (currency = 'INR'),
  issued_at          timestamptz NOT NULL,
  -- Last day of the month + 3 days (IST calendar); payable through the end of that day.
  due_date           date NOT NULL CHECK (due_date = (period + interval '1 month' + interval '2 days')::date),
  overdue_at         timestamptz,
  paid_at            timestamptz,
  payment_reference  text CHECK (payment_reference ~ '^[\x20-\x7e]{1,200}$'),
  CONSTRAINT invoices_user_period UNIQUE (user_sub, period),
  CHECK (total_paise = subtotal_paise + late_fee_paise),
  CHECK ((status = 'paid') = (paid_at IS NOT NULL AND payment_reference IS NOT NULL)),
  -- An overdue invoice, and only a once-overdue one, carries the time it became overdue.
  CHECK (status <> 'overdue' OR overdue_at IS NOT NULL),
  CHECK (late_fee_paise = 0 OR overdue_at IS NOT NULL)
);
-- GET /api/billing/invoices: one user's invoices, newest month first (the unique constraint's
-- index serves it too, scanned backwards). GET /api/billing reads (user_sub, period) the same way.
-- mark-overdue: the unpaid invoices past their due date; paid ones (most) stay out of it.
CREATE INDEX invoices_issued_due ON invoices (due_date) WHERE status = 'issued';

CREATE TABLE invoice_lines (
  invoice_id        uuid NOT NULL REFERENCES invoices (id),
  line_no           smallint NOT NULL CHECK (line_no >= 1),
  kind              text NOT NULL CHECK (kind IN ('usage', 'late_fee')),
  feature           text NOT NULL CHECK (feature IN ('portfolio_analysis', 'advice_generation', 'late_fee')),
  quantity          bigint NOT NULL CHECK (quantity > 0),
  unit_price_paise  bigint NOT NULL CHECK (unit_price_paise >= 0),
  amount_paise      bigint NOT NULL CHECK (amount_paise >= 0),
  PRIMARY KEY (invoice_id, line_no),
  CHECK ((kind = 'late_fee') = (feature = 'late_fee')),
  CHECK (amount_paise = quantity * unit_price_paise)
);
-- At most one late fee per invoice, whatever runs at once.
CREATE UNIQUE INDEX invoice_lines_one_late_fee ON invoice_lines (invoice_id) WHERE kind = 'late_fee';

-- close-month: the (month, user) pairs with usage, month by month, without reading whole
-- months of other users' rows through the (user_sub, …) index of migrations/0002.
CREATE INDEX usage_events_period_user ON usage_events (billing_period, user_sub);
