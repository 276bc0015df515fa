// The store of record. The engine's state is always rebuildable from it: `load` returns the
// committed state, `commit` makes one batch's changes durable in a single transaction.

import type { ChangeSet, Snapshot } from '../engine/changes.js';

export interface Store {
  /** What this store is, for logs (never includes credentials). */
  readonly description: string;
  load(): Promise<Snapshot>;
  /** Resolves once the batch is durable; rejects if it is not (then nothing of it is). */
  commit(changes: ChangeSet): Promise<void>;
  close(): Promise<void>;
}
