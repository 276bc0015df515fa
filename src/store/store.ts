// The store of record. The engine's state is always rebuildable from it: `load` returns the
// committed state, `commit` makes one batch's changes durable in a single transaction.

import type { ArchivedOrder } from '../engine/archive.js';
import type { ChangeSet, ExecutionRow, Snapshot } from '../engine/changes.js';

export interface Store {
  /** What this store is, for logs (never includes credentials). */
  readonly description: string;
  load(): Promise<Snapshot>;
  /** Resolves once the batch is durable; rejects if it is not (then nothing of it is). */
  commit(changes: ChangeSet): Promise<void>;
  /** A committed order with its history, for queries of orders the engine has evicted. */
  loadOrder(id: number): Promise<ArchivedOrder | null>;
  /** The newest `limit` executions over all symbols, oldest first: the trade tape at start. */
  recentExecutions(limit: number): Promise<ExecutionRow[]>;
  close(): Promise<void>;
  /**
   * Drops whatever connection failed and forgets the failure, so that the next `load`
   * reconnects. Stores that can lose their server (PostgreSQL) have it; a store without it
   * cannot recover in process, and the server stops instead.
   */
  reset?(): Promise<void>;
  /**
   * Stores shared between engines (PostgreSQL): `lost` hears of a lost connection or a
   * takeover noticed while idle, before any commit fails of it. NotLeader and Fenced
   * (store-errors.ts) say which engine may write.
   */
  watch?(lost: (error: Error) => void): void;
  /** The leader's epoch this engine holds, for stores that have one. */
  readonly epoch?: number | null;
  /**
   * Stores that write on a thread of their own (SQLite, PostgreSQL) tell `observer` of each
   * group of commits they wrote together: how long that thread took to write it (its rows
   * and its flush, from the start of its transaction to the end of its commit) and how many
   * batches it held. Beside a batch's time from hand-off to durable, it tells the writing
   * apart from the waiting.
   */
  observeWrites?(observer: (seconds: number, batches: number) => void): void;
}
