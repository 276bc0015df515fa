// Reads one committed order with its history. The store uses it on a read-only connection in
// the engine's thread: a read of a few indexed rows is cheaper than a hop to the writer
// thread and back, and WAL lets it see every committed transaction without blocking writes.

import type Database from 'better-sqlite3';
import type { ArchivedOrder } from '../engine/archive.js';
import {
  archivedOrderFromRows,
  selectArchivedAmendments,
  selectArchivedFills,
  selectArchivedOrder,
  type StoredOrderRows,
} from './rows.js';

export class SqliteOrderReader {
  private readonly selectOrder: Database.Statement;
  private readonly selectFills: Database.Statement;
  private readonly selectCancel: Database.Statement;
  private readonly selectAmendments: Database.Statement;

  constructor(db: Database.Database) {
    this.selectOrder = db.prepare(selectArchivedOrder('?'));
    this.selectFills = db.prepare(selectArchivedFills('?'));
    this.selectCancel = db.prepare('SELECT shares, canceled_at FROM cancels WHERE order_id = ?');
    this.selectAmendments = db.prepare(selectArchivedAmendments('?'));
  }

  load(id: number): ArchivedOrder | null {
    const order = this.selectOrder.get(id) as StoredOrderRows['order'] | undefined;
    if (order === undefined) return null;
    return archivedOrderFromRows({
      order,
      fills: this.selectFills.all(id, id) as StoredOrderRows['fills'],
      cancel: this.selectCancel.get(id) as StoredOrderRows['cancel'],
      amendments: this.selectAmendments.all(id) as StoredOrderRows['amendments'],
    });
  }
}
