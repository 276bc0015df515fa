// `--db` specs: sqlite:PATH (the default, ./data/exchange.db), postgres://… (also from
// DATABASE_URL), memory: (nothing kept).

import { MemoryStore } from './memory-store.js';
import { PostgresStore, type PostgresStoreOptions } from './postgres-store.js';
import { SqliteStore, type SyncMode } from './sqlite-store.js';
import type { Store } from './store.js';

export const DEFAULT_DB = 'sqlite:data/exchange.db';

/** `--db` when it is not given: DATABASE_URL if set, else the SQLite file. */
export function defaultDbSpec(env: NodeJS.ProcessEnv = process.env): string {
  return env.DATABASE_URL !== undefined && env.DATABASE_URL !== '' ? env.DATABASE_URL : DEFAULT_DB;
}

export interface StoreOptions extends PostgresStoreOptions {
  readonly sync?: SyncMode;
}

export function openStore(spec: string, options: StoreOptions = {}): Store {
  const postgres = spec.startsWith('postgres://') || spec.startsWith('postgresql://');
  if (options.mode === 'standby' && !postgres) {
    throw new Error(
      '--standby needs a PostgreSQL store (--db postgres://…): standbys share the database with the leader, and a SQLite file or memory cannot be shared',
    );
  }
  if (spec === 'memory:' || spec === 'memory') return new MemoryStore();
  if (spec.startsWith('sqlite:')) {
    const path = spec.slice('sqlite:'.length);
    if (path === '') throw new Error('sqlite: needs a file path, as in sqlite:data/exchange.db');
    return new SqliteStore(path, options.sync);
  }
  if (postgres) return new PostgresStore(spec, options);
  throw new Error(
    `unknown --db "${spec}": use sqlite:PATH, postgres://USER@HOST:PORT/DB or memory:`,
  );
}
