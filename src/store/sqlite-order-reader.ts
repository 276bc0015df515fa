// Reads one committed order with its history. The store uses it on a read-only connection in
// the engine's thread: a read of a few indexed rows is cheaper than a hop to the writer
// thread and back, and WAL lets it see every committed transaction without blocking writes.

import type Database from 'better-sqlite3';
import type { ArchivedOrder } from '../engine/archive.js';
import { archivedOrderFromRows, selectArchivedOrder, type StoredOrderRows } from './rows.js';

export class SqliteOrderReader {
  private readonly selectOrder: Database.Statement;
  private readonly selectFills: Database.Statement;
  private readonly selectCancel: Database.Statement;

  constructor(db: Database.Database) {
    this.selectOrder = db.prepare(selectArchivedOrder('?'));
    this.selectFills = db.prepare(
      'SELECT shares, price, executed_at FROM executions WHERE buy_order_id = ? OR sell_order_id = ? ORDER BY id',
    );
    this.selectCancel = db.prepare('SELECT shares, canceled_at FROM cancels WHERE order_id = ?');
  }

  load(id: number): ArchivedOrder | null {
    const order = this.selectOrder.get(id) as StoredOrderRows['order'] | undefined;
    if (order === undefined) return null;
    return archivedOrderFromRows({
      order,
      fills: this.selectFills.all(id, id) as StoredOrderRows['fills'],
      cancel: this.selectCancel.get(id) as StoredOrderRows['cancel'],
    });
  }
}
