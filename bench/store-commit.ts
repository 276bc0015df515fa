// Store write throughput by group size, without sockets: the mixed flow applied in groups of
// N requests, each group committed and awaited before the next (the slowest case: no
// merging). Shows how much a store gains from the bigger groups that load produces.
//   node --import tsx bench/store-commit.ts            (SQLite; PostgreSQL too with DATABASE_URL)

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Exchange } from '../src/engine/exchange.js';
import { PostgresStore } from '../src/store/postgres-store.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import type { Store } from '../src/store/store.js';
import { createTestDatabase, pgBaseUrl } from '../harness/postgres.js';
import { recordMixedFlow } from './engine.js';

const GROUP_SIZES = [1, 10, 60, 600];
const REQUESTS = 60_000;

async function measure(store: Store, groupSize: number): Promise<number> {
  await store.load();
  const { setup, requests } = recordMixedFlow(REQUESTS);
  const engine = new Exchange();
  engine.apply(setup, 0);
  await store.commit(engine.takeChanges());
  const count = Math.min(requests.length, groupSize * 2000);
  const started = performance.now();
  for (let i = 0; i + groupSize <= count; i += groupSize) {
    for (let j = i; j < i + groupSize; j++) engine.apply(requests[j]!, 1);
    await store.commit(engine.takeChanges());
  }
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  return (Math.floor(count / groupSize) * groupSize) / seconds;
}

const dir = mkdtempSync(join(tmpdir(), 'exchange-store-bench-'));
try {
  console.log('requests/s committed, by requests per commit (mixed flow, one commit at a time)');
  console.log(`  store        ${GROUP_SIZES.map((n) => String(n).padStart(8)).join('')}`);
  const sqliteRates: number[] = [];
  for (const n of GROUP_SIZES)
    sqliteRates.push(await measure(new SqliteStore(join(dir, `s${n}.db`)), n));
  console.log(
    `  sqlite FULL  ${sqliteRates.map((r) => Math.round(r).toLocaleString('en-US').padStart(8)).join('')}`,
  );
  if (pgBaseUrl() !== null) {
    const pgRates: number[] = [];
    for (const n of GROUP_SIZES) {
      const db = await createTestDatabase();
      try {
        pgRates.push(await measure(new PostgresStore(db.url), n));
      } finally {
        await db.drop();
      }
    }
    console.log(
      `  postgres     ${pgRates.map((r) => Math.round(r).toLocaleString('en-US').padStart(8)).join('')}`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
