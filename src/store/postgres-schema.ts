// Versioned migrations for the PostgreSQL store: the same tables as SQLite, with money and
// shares as `numeric` (exact decimal, never float). Migration N is applied once, in order,
// and recorded in schema_migrations; a shipped migration is never edited.

import { LEADERSHIP_MIGRATION } from './postgres-leadership.js';

export const POSTGRES_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE accounts (
    id         text PRIMARY KEY,
    balance    numeric NOT NULL,
    deposited  numeric NOT NULL
  );

  CREATE TABLE symbols (
    symbol   text PRIMARY KEY,
    granted  numeric NOT NULL
  );

  CREATE TABLE positions (
    account_id  text NOT NULL REFERENCES accounts(id),
    symbol      text NOT NULL REFERENCES symbols(symbol),
    shares      numeric NOT NULL,
    PRIMARY KEY (account_id, symbol)
  );

  CREATE TABLE orders (
    id           bigint PRIMARY KEY,
    account_id   text NOT NULL REFERENCES accounts(id),
    symbol       text NOT NULL REFERENCES symbols(symbol),
    side         text NOT NULL CHECK (side IN ('buy', 'sell')),
    shares       numeric NOT NULL,
    limit_price  numeric NOT NULL,
    open_shares  numeric NOT NULL,
    created_at   bigint NOT NULL
  );
  CREATE INDEX orders_open ON orders (id) WHERE open_shares > 0;

  CREATE TABLE executions (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    symbol         text NOT NULL REFERENCES symbols(symbol),
    buy_order_id   bigint NOT NULL REFERENCES orders(id),
    sell_order_id  bigint NOT NULL REFERENCES orders(id),
    shares         numeric NOT NULL,
    price          numeric NOT NULL,
    executed_at    bigint NOT NULL
  );
  CREATE INDEX executions_buy_order ON executions (buy_order_id);
  CREATE INDEX executions_sell_order ON executions (sell_order_id);

  CREATE TABLE cancels (
    order_id     bigint PRIMARY KEY REFERENCES orders(id),
    shares       numeric NOT NULL,
    canceled_at  bigint NOT NULL
  );
  `,
  // 2. The journal tables (orders, executions, cancels) keep no enforced foreign keys: their
  // row-by-row checks were 58% of the group commit's time (EXPLAIN ANALYZE of a 1,000-order
  // group: 19.5 of 33.8 ms). SQLite declares the same references without enforcing them
  // (foreign_keys is off); in both, the single writer only writes rows that refer to
  // existing ones, and `exchange inspect` checks every reference.
  `
  ALTER TABLE orders
    DROP CONSTRAINT orders_account_id_fkey,
    DROP CONSTRAINT orders_symbol_fkey;
  ALTER TABLE executions
    DROP CONSTRAINT executions_symbol_fkey,
    DROP CONSTRAINT executions_buy_order_id_fkey,
    DROP CONSTRAINT executions_sell_order_id_fkey;
  ALTER TABLE cancels
    DROP CONSTRAINT cancels_order_id_fkey;
  -- Read by nothing, and kept up to date on every order insert and fill.
  DROP INDEX orders_open;
  `,
  // 3. Leadership for standby engines: the epoch that fences a deposed leader's commits.
  LEADERSHIP_MIGRATION,
  // 4. The extensions (docs/extensions.md): order terms and fee rates, stop triggers, queue
  // priority, fees paid,
  // the book's market-data sequence and the amend journal. Orders from before it were all
  // plain GTC limit orders, and their arrival order was their queue order: priority = id.
  // The writer always gives a priority; the default (as in SQLite, where a new NOT NULL
  // column needs one) keeps rows inserted by hand, as the benchmarks seed books, valid.
  // Like the other journal tables (migration 2), amendments enforce no foreign key.
  `
  ALTER TABLE orders
    ADD COLUMN order_type text NOT NULL DEFAULT 'limit' CHECK (order_type IN ('limit', 'market')),
    ADD COLUMN tif text NOT NULL DEFAULT 'GTC' CHECK (tif IN ('GTC', 'IOC', 'FOK')),
    ADD COLUMN stop_price numeric,
    ADD COLUMN stp text CHECK (stp IN ('cancel-resting', 'cancel-incoming', 'cancel-both')),
    ADD COLUMN triggered_at bigint,
    ADD COLUMN priority bigint NOT NULL DEFAULT 0,
    -- Fee rates the order was accepted with and pays: none before fees existed.
    ADD COLUMN maker_fee numeric NOT NULL DEFAULT 0,
    ADD COLUMN taker_fee numeric NOT NULL DEFAULT 0;
  UPDATE orders SET priority = id;

  -- Fees paid by each side; NULL when fees were off.
  ALTER TABLE executions
    ADD COLUMN buy_fee numeric,
    ADD COLUMN sell_fee numeric;

  ALTER TABLE symbols ADD COLUMN seq bigint NOT NULL DEFAULT 0;

  -- id is the amend order: an order's amends are read back in it.
  CREATE TABLE amendments (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id     bigint NOT NULL,
    open_shares  numeric NOT NULL,
    limit_price  numeric NOT NULL,
    amended_at   bigint NOT NULL
  );
  CREATE INDEX amendments_order ON amendments (order_id);
  `,
];
