// `--db` specs: sqlite:PATH (the default, ./data/exchange.db), postgres://… (also from
// DATABASE_URL), memory: (nothing kept).

import { MemoryStore } from './memory-store.js';
import { PostgresStore } from './postgres-store.js';
import { SqliteStore, type SyncMode } from './sqlite-store.js';
import type { Store } from './store.js';

export const DEFAULT_DB = 'sqlite:data/exchange.db';

/** `--db` when it is not given: DATABASE_URL if set, else the SQLite file. */
export function defaultDbSpec(env: NodeJS.ProcessEnv = process.env): string {
  return env.DATABASE_URL !== undefined && env.DATABASE_URL !== '' ? env.DATABASE_URL : DEFAULT_DB;
}

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
  if (spec.startsWith('postgres://') || spec.startsWith('postgresql://'))
    return new PostgresStore(spec);
  throw new Error(
    `unknown --db "${spec}": use sqlite:PATH, postgres://USER@HOST:PORT/DB or memory:`,
  );
}
