// The embedded database of record: one SQLite file in WAL mode, used synchronously (the
// SqliteStore runs it in a worker thread). One engine batch is one transaction; with
// synchronous=FULL the WAL is fsynced at every commit, so an acknowledged batch survives
// kill -9 and power loss.

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { termsOf, type ChangeSet, type OrderRow, type Snapshot } from '../engine/changes.js';
import {
  cashText,
  feeRateText,
  liveSnapshotQueries,
  orderFromRow,
  type Row,
  priceText,
  sharesText,
  snapshotFromRows,
  SNAPSHOT_QUERIES,
} from './rows.js';
import { runMigrations, type MigrationTarget } from './migrations.js';
import { SQLITE_MIGRATIONS } from './sqlite-schema.js';

export type SyncMode = 'full' | 'normal';

interface Statements {
  upsertAccount: Database.Statement;
  upsertSymbol: Database.Statement;
  upsertPosition: Database.Statement;
  insertOrder: Database.Statement;
  updateOrder: Database.Statement;
  reshapeOrder: Database.Statement;
  insertExecution: Database.Statement;
  insertCancel: Database.Statement;
  insertAmendment: Database.Statement;
}

// The file lock already keeps a second engine out: nothing more to wait for.
function sqliteMigrationTarget(db: Database.Database): MigrationTarget {
  return {
    exclusive: (work) => work(),
    ensureTable: () => {
      db.exec(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)',
      );
    },
    appliedVersions: () =>
      db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[],
    apply: (version, sql) =>
      db.transaction(() => {
        db.exec(sql);
        db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(
          version,
          new Date().toISOString(),
        );
      })(),
  };
}

/**
 * One engine per database: two engines writing one file would each believe its own state.
 * An exclusive SQLite lock on a side file is held until this process closes it or dies
 * (the OS drops the lock on kill -9), while the database itself stays readable by others.
 */
function lockExclusively(lockPath: string, path: string): Database.Database {
  const lock = new Database(lockPath);
  try {
    lock.pragma('locking_mode = EXCLUSIVE');
    lock.exec('BEGIN EXCLUSIVE');
    return lock;
  } catch (error) {
    lock.close();
    if (error instanceof Error && /locked|busy/i.test(error.message)) {
      throw new Error(
        `another exchange server is using ${path} (it holds ${lockPath}); stop it first`,
      );
    }
    throw error;
  }
}

export class SqliteDatabase {
  private readonly db: Database.Database;
  private readonly statements: Statements;
  /** Held for the life of this connection: one engine per database file. */
  private readonly lock: Database.Database | null;
  private readonly writeBatch: (changes: ChangeSet) => void;

  /** Opens (creating it if need be) the database at `path` and brings its schema up to date. */
  static async open(path: string, sync: SyncMode = 'full'): Promise<SqliteDatabase> {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const lock = path === ':memory:' ? null : lockExclusively(`${path}.lock`, path);
    let db: Database.Database | null = null;
    try {
      db = new Database(path);
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${sync === 'full' ? 'FULL' : 'NORMAL'}`);
      db.pragma('busy_timeout = 5000');
      await runMigrations(sqliteMigrationTarget(db), SQLITE_MIGRATIONS);
      return new SqliteDatabase(db, lock);
    } catch (error) {
      db?.close();
      lock?.close();
      throw error;
    }
  }

  private constructor(db: Database.Database, lock: Database.Database | null) {
    this.db = db;
    this.lock = lock;
    this.statements = {
      upsertAccount: db.prepare(
        'INSERT INTO accounts (id, balance, deposited) VALUES (?, ?, ?) ' +
          'ON CONFLICT (id) DO UPDATE SET balance = excluded.balance',
      ),
      upsertSymbol: db.prepare(
        'INSERT INTO symbols (symbol, granted, seq) VALUES (?, ?, ?) ' +
          'ON CONFLICT (symbol) DO UPDATE SET granted = excluded.granted, seq = excluded.seq',
      ),
      upsertPosition: db.prepare(
        'INSERT INTO positions (account_id, symbol, shares) VALUES (?, ?, ?) ' +
          'ON CONFLICT (account_id, symbol) DO UPDATE SET shares = excluded.shares',
      ),
      insertOrder: db.prepare(
        'INSERT INTO orders (id, account_id, symbol, side, shares, limit_price, open_shares, created_at, ' +
          'order_type, tif, stop_price, stp, triggered_at, priority, maker_fee, taker_fee) ' +
          'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      updateOrder: db.prepare('UPDATE orders SET open_shares = ? WHERE id = ?'),
      reshapeOrder: db.prepare(
        'UPDATE orders SET open_shares = ?, limit_price = ?, triggered_at = ?, priority = ? WHERE id = ?',
      ),
      insertExecution: db.prepare(
        'INSERT INTO executions (symbol, buy_order_id, sell_order_id, shares, price, executed_at, buy_fee, sell_fee) ' +
          'VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      insertCancel: db.prepare(
        'INSERT INTO cancels (order_id, shares, canceled_at) VALUES (?, ?, ?)',
      ),
      insertAmendment: db.prepare(
        'INSERT INTO amendments (order_id, open_shares, limit_price, amended_at) VALUES (?, ?, ?, ?)',
      ),
    };
    this.writeBatch = db.transaction((changes: ChangeSet) => this.write(changes));
  }

  private write(changes: ChangeSet): void {
    const s = this.statements;
    for (const sym of changes.symbols) {
      s.upsertSymbol.run(sym.sym, sharesText(sym.granted), sym.seq);
    }
    for (const a of changes.accounts)
      s.upsertAccount.run(a.id, cashText(a.cash), cashText(a.deposited));
    for (const p of changes.positions) s.upsertPosition.run(p.account, p.sym, sharesText(p.shares));
    for (const o of changes.newOrders) {
      const t = termsOf(o);
      s.insertOrder.run(
        o.id,
        o.account,
        o.sym,
        o.isBuy ? 'buy' : 'sell',
        sharesText(o.shares),
        priceText(o.limit),
        sharesText(o.open),
        o.time,
        t.type,
        t.tif,
        t.stop === null ? null : priceText(t.stop),
        t.stp,
        o.triggeredAt,
        o.priority,
        feeRateText(t.makerFee),
        feeRateText(t.takerFee),
      );
    }
    for (const u of changes.orderUpdates) s.updateOrder.run(sharesText(u.open), u.id);
    for (const r of changes.orderReshapes) {
      s.reshapeOrder.run(sharesText(r.open), priceText(r.limit), r.triggeredAt, r.priority, r.id);
    }
    for (const e of changes.executions) {
      s.insertExecution.run(
        e.sym,
        e.buyOrderId,
        e.sellOrderId,
        sharesText(e.shares),
        priceText(e.price),
        e.time,
        e.buyFee === null ? null : cashText(e.buyFee),
        e.sellFee === null ? null : cashText(e.sellFee),
      );
    }
    for (const c of changes.cancels) s.insertCancel.run(c.orderId, sharesText(c.shares), c.time);
    for (const a of changes.amendments) {
      s.insertAmendment.run(a.orderId, sharesText(a.open), priceText(a.limit), a.time);
    }
  }

  commit(changes: ChangeSet): void {
    this.writeBatch(changes);
  }

  close(): void {
    if (this.db.open) this.db.close();
    if (this.lock?.open) this.lock.close();
  }
}

/** The whole committed state, read in one transaction (a consistent view while a writer runs). */
const LIVE_QUERIES = liveSnapshotQueries("open_shares <> '0'");

/**
 * The committed state, all of it or what the engine serves from (see `Snapshot.scope`).
 * 'all' is read in one transaction, as `exchange inspect` does beside a running server.
 * 'live' is read at start, before this server writes anything and while its lock keeps
 * every other writer out; its orders come as a one-pass stream from the cursor, converted
 * one by one as the engine takes them, so a large book is never held twice.
 */
export function readSqliteSnapshot(db: Database.Database, scope: 'all' | 'live' = 'all'): Snapshot {
  const read = (sql: string): Row[] => db.prepare(sql).all() as Row[];
  const q = scope === 'live' ? LIVE_QUERIES : SNAPSHOT_QUERIES;
  const tables = () => ({
    accounts: read(q.accounts),
    symbols: read(q.symbols),
    positions: read(q.positions),
    executions: read(q.executions),
    cancels: read(q.cancels),
    amendments: read(q.amendments),
  });
  if (scope === 'all') {
    return db.transaction(() => snapshotFromRows({ ...tables(), orders: read(q.orders) }))();
  }
  const nextOrderId = Number(read(LIVE_QUERIES.next)[0]!.next);
  const snapshot = snapshotFromRows({ ...tables(), orders: [] }, { nextOrderId });
  return { ...snapshot, orders: streamOrders(db, q.orders) };
}

/** Opens its cursor only when read, so an unread stream holds no statement open. */
function* streamOrders(db: Database.Database, sql: string): Generator<OrderRow> {
  for (const row of db.prepare(sql).iterate() as Iterable<Row>) yield orderFromRow(row);
}
