// The SQLite store of record, run in a worker thread: the engine's thread hands it a batch
// and goes on applying the next requests while the batch is written and fsynced.

import { Worker } from 'node:worker_threads';
import type { ArchivedOrder } from '../engine/archive.js';
import type { ChangeSet, Snapshot } from '../engine/changes.js';
import Database from 'better-sqlite3';
import { readSqliteSnapshot, type SyncMode } from './sqlite-database.js';
import { SqliteOrderReader } from './sqlite-order-reader.js';
import type { WorkerReply, WorkerRequest } from './sqlite-worker.js';
import type { Store } from './store.js';

export type { SyncMode } from './sqlite-database.js';

// Built, the worker is a .js file beside this one. Run from source under tsx (tests), it is
// .ts and the worker thread must register tsx itself before importing it.
function startWorker(workerData: unknown): Worker {
  if (!import.meta.url.endsWith('.ts')) {
    return new Worker(new URL('./sqlite-worker.js', import.meta.url), { workerData });
  }
  const source = new URL('./sqlite-worker.ts', import.meta.url).href;
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}

interface Call {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export class SqliteStore implements Store {
  readonly description: string;
  private readonly worker: Worker;
  /** Calls in flight; the worker answers them in order, merged commits in one reply. */
  private readonly calls: Call[] = [];
  private failure: Error | null = null;

  /** The engine thread's read-only connection: snapshot at start, evicted orders after. */
  private readerDb: Database.Database | null = null;
  private reader: SqliteOrderReader | null = null;

  constructor(
    private readonly path: string,
    sync: SyncMode = 'full',
  ) {
    this.description = `sqlite:${path} (synchronous=${sync})`;
    this.worker = startWorker({ path, sync });
    this.worker.on('message', (reply: WorkerReply) => {
      for (const call of this.calls.splice(0, reply.count)) {
        if (reply.ok) call.resolve(reply.value);
        else call.reject(new Error(reply.error));
      }
    });
    const fail = (error: Error): void => {
      this.failure ??= error;
      for (const call of this.calls.splice(0)) call.reject(error);
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`the SQLite worker exited (${code})`)));
  }

  private call(request: WorkerRequest): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.failure !== null) return reject(this.failure);
      this.calls.push({ resolve, reject });
      this.worker.postMessage(request);
    });
  }

  /**
   * The snapshot is read here, on a read-only connection, once the writer thread has the
   * database open and migrated: posting a large snapshot between threads (structured clone)
   * took most of a restart's time (1M open orders: 11.4 s).
   */
  async load(): Promise<Snapshot> {
    await this.call({ type: 'ready' });
    return readSqliteSnapshot(this.readOnly());
  }

  async commit(changes: ChangeSet): Promise<void> {
    await this.call({ type: 'commit', changes });
  }

  async loadOrder(id: number): Promise<ArchivedOrder | null> {
    this.reader ??= new SqliteOrderReader(this.readOnly());
    return this.reader.load(id);
  }

  private readOnly(): Database.Database {
    this.readerDb ??= new Database(this.path, { readonly: true, fileMustExist: true });
    return this.readerDb;
  }

  async close(): Promise<void> {
    this.readerDb?.close();
    if (this.failure === null) await this.call({ type: 'close' });
    await this.worker.terminate();
  }
}
