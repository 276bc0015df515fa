// The embedded database of record: one SQLite file in WAL mode, used synchronously (the
// SqliteStore runs it in a worker thread). One engine batch is one transaction; with
// synchronous=FULL the WAL is fsynced at every commit, so an acknowledged batch survives
// kill -9 and power loss.

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { termsOf, type ChangeSet, type OrderRow, type Snapshot } from '../engine/changes.js';
import {
  AMENDMENT_COLUMNS,
  cashText,
  EXECUTION_COLUMNS,
  feeRateText,
  liveSnapshotQueries,
  ORDER_COLUMN_NAMES,
  ORDER_COLUMNS,
  orderFromRow,
  type Row,
  priceText,
  sharesText,
  snapshotFromRows,
  SNAPSHOT_QUERIES,
} from './rows.js';
import { runMigrations, type MigrationTarget } from './migrations.js';
import { SQLITE_MIGRATIONS } from './sqlite-schema.js';
import { passiveCheckpoint } from './sqlite-checkpointer.js';

export type SyncMode = 'full' | 'normal';

/** SQLite's own: a commit that leaves this many pages in the WAL checkpoints it. */
const DEFAULT_AUTOCHECKPOINT = 1000;

/**
 * One multi-row statement per table and row count, prepared on first use: a group's rows of a
 * table go in statements of up to ROWS_PER_STATEMENT rows (one bind and one step for many
 * rows, instead of a run() per row).
 */
const ROWS_PER_STATEMENT = 64;

/** A statement over `rows` rows: its SQL from the rows' placeholders. */
type MultiRowSql = (rows: number) => string;

const placeholders = (columns: number, rows: number): string => {
  const row = `(${Array.from({ length: columns }, () => '?').join(', ')})`;
  return Array.from({ length: rows }, () => row).join(', ');
};

const SQL = {
  symbols: (n: number) =>
    `INSERT INTO symbols (symbol, granted, seq) VALUES ${placeholders(3, n)} ` +
    'ON CONFLICT (symbol) DO UPDATE SET granted = excluded.granted, seq = excluded.seq',
  accounts: (n: number) =>
    `INSERT INTO accounts (id, balance, deposited) VALUES ${placeholders(3, n)} ` +
    'ON CONFLICT (id) DO UPDATE SET balance = excluded.balance',
  positions: (n: number) =>
    `INSERT INTO positions (account_id, symbol, shares) VALUES ${placeholders(3, n)} ` +
    'ON CONFLICT (account_id, symbol) DO UPDATE SET shares = excluded.shares',
  orders: (n: number) =>
    `INSERT INTO orders (${ORDER_COLUMNS}) VALUES ${placeholders(ORDER_COLUMN_NAMES.length, n)}`,
  // One order: by its key. Several: UPDATE … FROM a VALUES list, each found by its key. A
  // change set names each order once (the engine's dirty lists, mergeChangeSets), as the
  // PostgreSQL statement needs too: with an id twice, which row wins would be arbitrary.
  updates: (n: number) =>
    n === 1
      ? 'UPDATE orders SET open_shares = ? WHERE id = ?'
      : `UPDATE orders SET open_shares = u.column1 FROM (VALUES ${placeholders(2, n)}) AS u ` +
        'WHERE orders.id = u.column2',
  executions: (n: number) =>
    `INSERT INTO executions (${EXECUTION_COLUMNS}) VALUES ${placeholders(8, n)}`,
  cancels: (n: number) =>
    `INSERT INTO cancels (order_id, shares, canceled_at) VALUES ${placeholders(3, n)}`,
  amendments: (n: number) =>
    `INSERT INTO amendments (${AMENDMENT_COLUMNS}) VALUES ${placeholders(4, n)}`,
} satisfies Record<string, MultiRowSql>;

/** A table's multi-row statements, by row count. */
class MultiRow {
  private readonly statements: (Database.Statement | undefined)[] = [];

  constructor(
    private readonly db: Database.Database,
    private readonly sql: MultiRowSql,
    /** Values per row. */
    private readonly columns: number,
  ) {}

  /** Writes rows whose values are laid out one after another in `values`. */
  run(values: unknown[]): void {
    const rows = values.length / this.columns;
    for (let first = 0; first < rows; first += ROWS_PER_STATEMENT) {
      const n = Math.min(ROWS_PER_STATEMENT, rows - first);
      const statement = (this.statements[n] ??= this.db.prepare(this.sql(n)));
      // Spread, not the array: better-sqlite3 takes each argument as it is, but fetches an
      // array's elements one by one through V8's API (bench/sqlite-bind.ts).
      statement.run(
        ...(n === rows ? values : values.slice(first * this.columns, (first + n) * this.columns)),
      );
    }
  }
}

interface Statements {
  upsertAccount: MultiRow;
  upsertSymbol: MultiRow;
  upsertPosition: MultiRow;
  insertOrder: MultiRow;
  updateOrder: MultiRow;
  reshapeOrder: Database.Statement;
  insertExecution: MultiRow;
  insertCancel: MultiRow;
  insertAmendment: MultiRow;
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
      return new SqliteDatabase(db, lock, path);
    } catch (error) {
      db?.close();
      lock?.close();
      throw error;
    }
  }

  private constructor(
    db: Database.Database,
    lock: Database.Database | null,
    readonly path: string,
  ) {
    this.db = db;
    this.lock = lock;
    this.statements = {
      upsertSymbol: new MultiRow(db, SQL.symbols, 3),
      upsertAccount: new MultiRow(db, SQL.accounts, 3),
      upsertPosition: new MultiRow(db, SQL.positions, 3),
      insertOrder: new MultiRow(db, SQL.orders, ORDER_COLUMN_NAMES.length),
      updateOrder: new MultiRow(db, SQL.updates, 2),
      reshapeOrder: db.prepare(
        'UPDATE orders SET open_shares = ?, limit_price = ?, triggered_at = ?, priority = ? WHERE id = ?',
      ),
      insertExecution: new MultiRow(db, SQL.executions, 8),
      insertCancel: new MultiRow(db, SQL.cancels, 3),
      insertAmendment: new MultiRow(db, SQL.amendments, 4),
    };
    this.writeBatch = db.transaction((changes: ChangeSet) => this.write(changes));
  }

  /**
   * Each table's rows of the group in as few statements as its row count allows (a table
   * with no rows runs none).
   */
  private write(changes: ChangeSet): void {
    const s = this.statements;
    const symbols: unknown[] = [];
    for (const sym of changes.symbols) symbols.push(sym.sym, sharesText(sym.granted), sym.seq);
    s.upsertSymbol.run(symbols);
    const accounts: unknown[] = [];
    for (const a of changes.accounts) accounts.push(a.id, cashText(a.cash), cashText(a.deposited));
    s.upsertAccount.run(accounts);
    const positions: unknown[] = [];
    for (const p of changes.positions) positions.push(p.account, p.sym, sharesText(p.shares));
    s.upsertPosition.run(positions);
    const orders: unknown[] = [];
    for (const o of changes.newOrders) {
      const t = termsOf(o);
      orders.push(
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
    s.insertOrder.run(orders);
    const updates: unknown[] = [];
    for (const u of changes.orderUpdates) updates.push(sharesText(u.open), u.id);
    s.updateOrder.run(updates);
    for (const r of changes.orderReshapes) {
      s.reshapeOrder.run(sharesText(r.open), priceText(r.limit), r.triggeredAt, r.priority, r.id);
    }
    const executions: unknown[] = [];
    for (const e of changes.executions) {
      executions.push(
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
    s.insertExecution.run(executions);
    const cancels: unknown[] = [];
    for (const c of changes.cancels) cancels.push(c.orderId, sharesText(c.shares), c.time);
    s.insertCancel.run(cancels);
    const amendments: unknown[] = [];
    for (const a of changes.amendments) {
      amendments.push(a.orderId, sharesText(a.open), priceText(a.limit), a.time);
    }
    s.insertAmendment.run(amendments);
  }

  commit(changes: ChangeSet): void {
    this.writeBatch(changes);
  }

  /**
   * Leaves checkpoints to another connection (sqlite-checkpointer.ts): a commit no longer
   * copies the WAL into the database file in line. Back on with `false`.
   */
  checkpointElsewhere(elsewhere: boolean): void {
    this.db.pragma(`wal_autocheckpoint = ${elsewhere ? 0 : DEFAULT_AUTOCHECKPOINT}`);
  }

  /**
   * Copies what is left of the WAL into the database file, so that the next transaction
   * starts the WAL over; true when nothing was left (or there is no WAL).
   */
  checkpointTail(): boolean {
    if (this.path === ':memory:') return true;
    const { busy, log, checkpointed } = passiveCheckpoint(this.db);
    return busy === 0 && checkpointed === log;
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
function* streamOrders(db: Database.Database, sql: string): Generator<OrderRow<bigint>> {
  for (const row of db.prepare(sql).iterate() as Iterable<Row>) yield orderFromRow(row);
}
