// What one commit costs, split: rows per request, SQLite pages and WAL bytes per request, the
// time spent writing rows against the time spent making them durable, for SQLite and
// PostgreSQL. Commits are awaited one at a time, as in store-commit.ts.
//   node --import tsx bench/store-cost.ts [groupSize ...]   (PostgreSQL too with DATABASE_URL)

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { Exchange } from '../src/engine/exchange.js';
import type { ChangeSet } from '../src/engine/changes.js';
import { SqliteDatabase, type SyncMode } from '../src/store/sqlite-database.js';
import { commitParameters, commitStatement } from '../src/store/postgres-writer.js';
import { PostgresStore } from '../src/store/postgres-store.js';
import { createTestDatabase, pgBaseUrl } from '../harness/postgres.js';
import { recordMixedFlow } from './engine.js';
import { median } from './stats.js';

const args = process.argv.slice(2).map(Number);
const GROUP_SIZES = args.length > 0 ? args : [1, 60, 600];
const REQUESTS = 30_000;

/** The flow's change sets in groups of `size` requests, and the setup's. */
function groups(size: number, count: number): { setup: ChangeSet; sets: ChangeSet[] } {
  const { setup, requests } = recordMixedFlow(REQUESTS);
  const engine = new Exchange();
  engine.apply(setup, 0);
  const first = engine.takeChanges();
  const sets: ChangeSet[] = [];
  for (let i = 0; i + size <= Math.min(requests.length, size * count); i += size) {
    for (let j = i; j < i + size; j++) engine.apply(requests[j]!, 1);
    sets.push(engine.takeChanges());
    engine.takeEvents();
  }
  return { setup: first, sets };
}

function rowCounts(sets: readonly ChangeSet[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const c of sets)
    for (const [k, v] of Object.entries(c)) counts[k] = (counts[k] ?? 0) + (v as unknown[]).length;
  return counts;
}

const dir = mkdtempSync(join(tmpdir(), 'exchange-store-cost-'));
let n = 0;

/** SQLite: µs per commit, pages written to the WAL per commit. */
async function sqlite(size: number, sync: SyncMode | 'off', count: number) {
  const path = join(dir, `c${n++}.db`);
  const db = await SqliteDatabase.open(path, sync === 'off' ? 'normal' : sync);
  const raw = (db as unknown as { db: Database.Database }).db;
  if (sync === 'off') raw.pragma('synchronous = OFF');
  raw.pragma('wal_autocheckpoint = 0');
  const { setup, sets } = groups(size, count);
  db.commit(setup);
  raw.pragma('wal_checkpoint(TRUNCATE)');
  const times: number[] = [];
  const started = performance.now();
  for (const c of sets) {
    const t = performance.now();
    db.commit(c);
    times.push(performance.now() - t);
  }
  const total = performance.now() - started;
  const walBytes = statSync(`${path}-wal`).size;
  const pageSize = raw.pragma('page_size', { simple: true }) as number;
  db.close();
  return {
    perCommitUs: median(times) * 1000,
    requestsPerSecond: (sets.length * size) / (total / 1000),
    walBytesPerRequest: walBytes / (sets.length * size),
    pagesPerCommit: walBytes / (pageSize + 24) / sets.length,
  };
}

async function postgres(size: number, synchronous: 'on' | 'off', count: number) {
  const test = await createTestDatabase();
  try {
    // Migrated schema through the store, then a plain session writing the group statement.
    const store = new PostgresStore(test.url);
    await store.load();
    await store.close();
    const client = new pg.Client({ connectionString: test.url });
    await client.connect();
    await client.query(`SET synchronous_commit = ${synchronous}`);
    await client.query('SET plan_cache_mode = force_custom_plan');
    await client.query('SET random_page_cost = 1.1');
    const text = commitStatement(false);
    const { setup, sets } = groups(size, count);
    await client.query({ name: 'c', text, values: commitParameters(setup) });
    const lsn0 = (await client.query('SELECT pg_current_wal_insert_lsn() AS l')).rows[0].l;
    const times: number[] = [];
    const started = performance.now();
    for (const c of sets) {
      const t = performance.now();
      await client.query({ name: 'c', text, values: commitParameters(c) });
      times.push(performance.now() - t);
    }
    const total = performance.now() - started;
    const walBytes = Number(
      (await client.query('SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), $1) AS d', [lsn0]))
        .rows[0].d,
    );
    await client.end();
    return {
      perCommitUs: median(times) * 1000,
      requestsPerSecond: (sets.length * size) / (total / 1000),
      walBytesPerRequest: walBytes / (sets.length * size),
    };
  } finally {
    await test.drop();
  }
}

const f = (v: number, d = 0): string =>
  v.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

try {
  for (const size of GROUP_SIZES) {
    const count = Math.max(20, Math.min(2000, Math.floor(20_000 / size)));
    const { sets } = groups(size, count);
    const rows = rowCounts(sets);
    const requests = sets.length * size;
    console.log(`\ngroup of ${size} request(s), ${sets.length} commits`);
    console.log(
      '  rows per request: ' +
        Object.entries(rows)
          .map(([k, v]) => `${k} ${f(v / requests, 2)}`)
          .join(', '),
    );
    for (const sync of ['full', 'normal', 'off'] as const) {
      const r = await sqlite(size, sync, count);
      console.log(
        `  sqlite ${sync.padEnd(6)} ${f(r.perCommitUs).padStart(7)} µs/commit (median), ` +
          `${f(r.requestsPerSecond).padStart(7)} requests/s, ${f(r.pagesPerCommit, 1)} pages/commit, ` +
          `${f(r.walBytesPerRequest)} WAL bytes/request`,
      );
    }
    if (pgBaseUrl() !== null) {
      for (const sync of ['on', 'off'] as const) {
        const r = await postgres(size, sync, Math.min(count, 400));
        console.log(
          `  postgres synchronous_commit=${sync.padEnd(3)} ${f(r.perCommitUs).padStart(7)} µs/commit (median), ` +
            `${f(r.requestsPerSecond).padStart(7)} requests/s, ${f(r.walBytesPerRequest)} WAL bytes/request`,
        );
      }
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
