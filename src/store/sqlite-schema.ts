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
];
