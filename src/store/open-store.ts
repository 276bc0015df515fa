// `--db` specs: sqlite:PATH (the default, ./data/exchange.db), memory: (nothing kept).

import { MemoryStore } from './memory-store.js';
import { SqliteStore, type SyncMode } from './sqlite-store.js';
import type { Store } from './store.js';

export const DEFAULT_DB = 'sqlite:data/exchange.db';

export interface StoreOptions {
  readonly sync?: SyncMode;
}

export function openStore(spec: string, options: StoreOptions = {}): Store {
  if (spec === 'memory:' || spec === 'memory') return new MemoryStore();
  if (spec.startsWith('sqlite:')) {
    const path = spec.slice('sqlite:'.length);
    if (path === '') throw new Error('sqlite: needs a file path, as in sqlite:data/exchange.db');
    return new SqliteStore(path, options.sync);
  }
  if (spec.startsWith('postgres://') || spec.startsWith('postgresql://')) {
    throw new Error('PostgreSQL is not supported yet; use sqlite:PATH or memory:');
  }
  throw new Error(`unknown --db "${spec}": use sqlite:PATH or memory:`);
}
