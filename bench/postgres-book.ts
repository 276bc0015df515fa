// A store holding a deep book (SQLite or PostgreSQL), written straight into the tables: N
// open orders resting on one symbol, none crossing. Account 1 holds cash for the buys (at
// 1..50) and account 2 the shares for the sells (at 101..150), so the totals balance.

import Database from 'better-sqlite3';
import pg from 'pg';
import { SqliteDatabase } from '../src/store/sqlite-database.js';
import { PostgresStore } from '../src/store/postgres-store.js';

/** The accounts, symbol and position rows of a book of `orders` (SQL for either store). */
export function bookSeedStatements(orders: number): string[] {
  return [
    `INSERT INTO accounts (id, balance, deposited) VALUES ('1', '0', '${orders * 50}'), ('2', '0', '0')`,
    `INSERT INTO symbols (symbol, granted) VALUES ('DEEP', '${orders}')`,
    `INSERT INTO positions (account_id, symbol, shares) VALUES ('2', 'DEEP', '${orders / 2}')`,
  ];
}

/** A new SQLite database at `path` holding the book. */
export async function seedSqliteBook(path: string, orders: number): Promise<void> {
  (await SqliteDatabase.open(path)).close();
  const db = new Database(path);
  try {
    db.transaction(() => {
      for (const sql of bookSeedStatements(orders)) db.exec(sql);
      const insert = db.prepare(
        "INSERT INTO orders (id, account_id, symbol, side, shares, limit_price, open_shares, created_at) VALUES (?, ?, 'DEEP', ?, '1', ?, '1', 0)",
      );
      for (let id = 1; id <= orders; id++) {
        const buy = id % 2 === 1;
        insert.run(
          id,
          buy ? '1' : '2',
          buy ? 'buy' : 'sell',
          String(buy ? 1 + (id % 50) : 101 + (id % 50)),
        );
      }
    })();
  } finally {
    db.close();
  }
}

export async function seedPostgresBook(url: string, orders: number): Promise<void> {
  // Migrated by the store itself, then left without a leader.
  const store = new PostgresStore(url);
  await store.load();
  await store.close();
  if (orders === 0) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const sql of bookSeedStatements(orders)) await client.query(sql);
    await client.query(
      `INSERT INTO orders (id, account_id, symbol, side, shares, limit_price, open_shares, created_at)
       SELECT id, CASE WHEN id % 2 = 1 THEN '1' ELSE '2' END, 'DEEP',
              CASE WHEN id % 2 = 1 THEN 'buy' ELSE 'sell' END, 1,
              CASE WHEN id % 2 = 1 THEN 1 + id % 50 ELSE 101 + id % 50 END, 1, 0
       FROM generate_series(1, $1::bigint) AS id`,
      [orders],
    );
  } finally {
    await client.end();
  }
}
