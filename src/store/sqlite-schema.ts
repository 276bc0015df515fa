// Versioned migrations for the SQLite store. Money, shares and prices are decimal TEXT in
// plain notation: exact at any size and readable with the sqlite3 shell.

export const SQLITE_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE accounts (
    id         TEXT PRIMARY KEY,
    balance    TEXT NOT NULL,   -- cash available now
    deposited  TEXT NOT NULL    -- balance at creation; balance + reserved cash must equal the sum
  ) WITHOUT ROWID;

  CREATE TABLE symbols (
    symbol   TEXT PRIMARY KEY,
    granted  TEXT NOT NULL      -- shares ever granted; held + reserved shares must equal it
  ) WITHOUT ROWID;

  CREATE TABLE positions (
    account_id TEXT NOT NULL REFERENCES accounts(id),
    symbol     TEXT NOT NULL REFERENCES symbols(symbol),
    shares     TEXT NOT NULL,
    PRIMARY KEY (account_id, symbol)
  ) WITHOUT ROWID;

  CREATE TABLE orders (
    id           INTEGER PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts(id),
    symbol       TEXT NOT NULL REFERENCES symbols(symbol),
    side         TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
    shares       TEXT NOT NULL,
    limit_price  TEXT NOT NULL,
    open_shares  TEXT NOT NULL,
    created_at   INTEGER NOT NULL
  );

  CREATE TABLE executions (
    id             INTEGER PRIMARY KEY,
    symbol         TEXT NOT NULL REFERENCES symbols(symbol),
    buy_order_id   INTEGER NOT NULL REFERENCES orders(id),
    sell_order_id  INTEGER NOT NULL REFERENCES orders(id),
    shares         TEXT NOT NULL,
    price          TEXT NOT NULL,
    executed_at    INTEGER NOT NULL
  );
  CREATE INDEX executions_buy_order ON executions(buy_order_id);
  CREATE INDEX executions_sell_order ON executions(sell_order_id);

  CREATE TABLE cancels (
    order_id     INTEGER PRIMARY KEY REFERENCES orders(id),
    shares       TEXT NOT NULL,
    canceled_at  INTEGER NOT NULL
  );
  `,
  // 2. The extensions (docs/extensions.md): order terms and fee rates, stop triggers, queue
  // priority, fees paid,
  // the book's market-data sequence and the amend journal. Orders from before it were all
  // plain GTC limit orders, and their arrival order was their queue order: priority = id.
  `
  ALTER TABLE orders ADD COLUMN order_type TEXT NOT NULL DEFAULT 'limit'
    CHECK (order_type IN ('limit', 'market'));
  ALTER TABLE orders ADD COLUMN tif TEXT NOT NULL DEFAULT 'GTC' CHECK (tif IN ('GTC', 'IOC', 'FOK'));
  ALTER TABLE orders ADD COLUMN stop_price TEXT;
  ALTER TABLE orders ADD COLUMN stp TEXT
    CHECK (stp IN ('cancel-resting', 'cancel-incoming', 'cancel-both'));
  ALTER TABLE orders ADD COLUMN triggered_at INTEGER;
  ALTER TABLE orders ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
  UPDATE orders SET priority = id;
  -- Fee rates (FEE_SCALE) the order was accepted with and pays: none before fees existed.
  ALTER TABLE orders ADD COLUMN maker_fee TEXT NOT NULL DEFAULT '0';
  ALTER TABLE orders ADD COLUMN taker_fee TEXT NOT NULL DEFAULT '0';

  -- Fees paid by each side, CASH_SCALE; NULL when fees were off.
  ALTER TABLE executions ADD COLUMN buy_fee TEXT;
  ALTER TABLE executions ADD COLUMN sell_fee TEXT;

  ALTER TABLE symbols ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;

  -- id is the amend order: an order's amends are read back in it.
  CREATE TABLE amendments (
    id           INTEGER PRIMARY KEY,
    order_id     INTEGER NOT NULL REFERENCES orders(id),
    open_shares  TEXT NOT NULL,
    limit_price  TEXT NOT NULL,
    amended_at   INTEGER NOT NULL
  );
  CREATE INDEX amendments_order ON amendments(order_id);
  `,
];
