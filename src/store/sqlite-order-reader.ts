// Reads one committed order with its history. The store uses it on a read-only connection in
// the engine's thread: a read of a few indexed rows is cheaper than a hop to the writer
// thread and back, and WAL lets it see every committed transaction without blocking writes.

import type Database from 'better-sqlite3';
import type { ArchivedOrder } from '../engine/archive.js';
import { readPrice, readShares } from './rows.js';

export class SqliteOrderReader {
  private readonly selectOrder: Database.Statement;
  private readonly selectFills: Database.Statement;
  private readonly selectCancel: Database.Statement;

  constructor(db: Database.Database) {
    this.selectOrder = db.prepare('SELECT account_id, open_shares FROM orders WHERE id = ?');
    this.selectFills = db.prepare(
      'SELECT shares, price, executed_at FROM executions WHERE buy_order_id = ? OR sell_order_id = ? ORDER BY id',
    );
    this.selectCancel = db.prepare('SELECT shares, canceled_at FROM cancels WHERE order_id = ?');
  }

  load(id: number): ArchivedOrder | null {
    const order = this.selectOrder.get(id) as
      { account_id: string; open_shares: string } | undefined;
    if (order === undefined) return null;
    const fills = this.selectFills.all(id, id) as {
      shares: string;
      price: string;
      executed_at: number;
    }[];
    const cancel = this.selectCancel.get(id) as { shares: string; canceled_at: number } | undefined;
    return {
      account: order.account_id,
      status: {
        open: readShares(order.open_shares),
        canceled:
          cancel === undefined
            ? null
            : { shares: readShares(cancel.shares), time: cancel.canceled_at },
        fills: fills.map((f) => ({
          shares: readShares(f.shares),
          price: readPrice(f.price),
          time: f.executed_at,
        })),
      },
    };
  }
}
