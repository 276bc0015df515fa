// The SQLite store of record, run in a worker thread: the engine's thread hands it a batch
// and goes on applying the next requests while the batch is written and fsynced.

import type { ArchivedOrder } from '../engine/archive.js';
import type { ChangeSet, ExecutionRow, Snapshot } from '../engine/changes.js';
import Database from 'better-sqlite3';
import { readSqliteSnapshot, type SyncMode } from './sqlite-database.js';
import { SqliteOrderReader } from './sqlite-order-reader.js';
import { executionFromRow, selectRecentExecutions, type Row } from './rows.js';
import type { Store } from './store.js';
import { StoreWorker } from './store-worker.js';

export type { SyncMode } from './sqlite-database.js';

export class SqliteStore implements Store {
  readonly description: string;
  private readonly worker: StoreWorker;

  /** The engine thread's read-only connection: snapshot at start, evicted orders after. */
  private readerDb: Database.Database | null = null;
  private reader: SqliteOrderReader | null = null;

  constructor(
    private readonly path: string,
    sync: SyncMode = 'full',
  ) {
    this.description = `sqlite:${path} (synchronous=${sync})`;
    this.worker = new StoreWorker('sqlite-worker', { path, sync });
  }

  /**
   * The snapshot is read here, on a read-only connection, once the writer thread has the
   * database open and migrated: posting a large snapshot between threads (structured clone)
   * took most of a restart's time (1M open orders: 11.4 s).
   */
  async load(): Promise<Snapshot> {
    await this.worker.call({ type: 'ready' });
    return readSqliteSnapshot(this.readOnly(), 'live');
  }

  commit(changes: ChangeSet): Promise<void> {
    return this.worker.commit(changes);
  }

  observeWrites(observer: (seconds: number, batches: number) => void): void {
    this.worker.written = (ms, batches) => observer(ms / 1000, batches);
  }

  async loadOrder(id: number): Promise<ArchivedOrder | null> {
    this.reader ??= new SqliteOrderReader(this.readOnly());
    return this.reader.load(id);
  }

  async recentExecutions(limit: number): Promise<ExecutionRow[]> {
    const rows = this.readOnly().prepare(selectRecentExecutions('?')).all(limit) as Row[];
    return rows.map(executionFromRow).reverse();
  }

  private readOnly(): Database.Database {
    this.readerDb ??= new Database(this.path, { readonly: true, fileMustExist: true });
    return this.readerDb;
  }

  async close(): Promise<void> {
    this.readerDb?.close();
    await this.worker.close();
  }
}
