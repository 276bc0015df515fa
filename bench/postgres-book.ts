// A store holding a deep book, written straight into the tables: N open orders
// resting on one symbol, none crossing. Account 1 holds cash for the buys (at 1..50) and
// account 2 the shares for the sells (at 101..150), so the totals balance.

import pg from 'pg';
import { PostgresStore } from '../src/store/postgres-store.js';

/** The accounts, symbol and position rows of a book of `orders` (SQL for either store). */
export function bookSeedStatements(orders: number): string[] {
  return [
    `INSERT INTO accounts (id, balance, deposited) VALUES ('1', '0', '${orders * 50}'), ('2', '0', '0')`,
    `INSERT INTO symbols (symbol, granted) VALUES ('DEEP', '${orders}')`,
    `INSERT INTO positions (account_id, symbol, shares) VALUES ('2', 'DEEP', '${orders / 2}')`,
  ];
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
