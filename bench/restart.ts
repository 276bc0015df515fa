// Restart time with a deep book: a store holding N open orders (default 1,000,000, resting,
// none crossing), then `exchange serve` from start to listening. Median of 3 starts, for
// SQLite and, with DATABASE_URL set, PostgreSQL, and the server's resident memory with that
// book loaded.
//   node --import tsx bench/restart.ts [N]
// Writes bench/report/restart.json, which the matrix's report reads for its memory target.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedPostgresBook, seedSqliteBook } from './postgres-book.js';
import { createTestDatabase, pgBaseUrl } from '../harness/postgres.js';
import { ROOT, spawnExchange } from './processes.js';
import { median } from './stats.js';

const ORDERS = Number(process.argv[2] ?? 1_000_000);
const STARTS = 3;

interface Start {
  seconds: number;
  /** The server's resident memory once listening, the book in memory (MiB). */
  rssMiB: number;
}

/** Resident memory of a process from /proc, in MiB (NaN where there is no /proc). */
function rssMiB(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return Number(kb) / 1024;
  } catch {
    return NaN;
  }
}

async function timeStarts(db: string): Promise<Start[]> {
  const starts: Start[] = [];
  for (let i = 0; i < STARTS; i++) {
    const started = performance.now();
    const server = await spawnExchange(db, 'off');
    const seconds = (performance.now() - started) / 1000;
    starts.push({ seconds, rssMiB: rssMiB(server.pid) });
    await server.stop();
  }
  return starts;
}

/** Per store, the median start: what the matrix's report reads. */
export interface RestartFigures {
  readonly date: string;
  readonly orders: number;
  readonly stores: Record<string, { readonly seconds: number; readonly rssMiB: number }>;
}

const figures: RestartFigures = {
  date: new Date().toISOString().slice(0, 10),
  orders: ORDERS,
  stores: {},
};

function report(name: string, starts: Start[]): void {
  const seconds = starts.map((s) => s.seconds);
  figures.stores[name] = {
    seconds: median(seconds),
    rssMiB: median(starts.map((s) => s.rssMiB)),
  };
  console.log(
    `  ${name}: ${median(seconds).toFixed(2)} s to listening (starts: ${seconds.map((s) => s.toFixed(2)).join(', ')}); ` +
      `RSS once listening ${median(starts.map((s) => s.rssMiB)).toFixed(0)} MiB`,
  );
}

console.log(`restart with ${ORDERS.toLocaleString('en-US')} open orders, median of ${STARTS}:`);

const dir = mkdtempSync(join(tmpdir(), 'exchange-restart-'));
try {
  const path = join(dir, 'deep.db');
  await seedSqliteBook(path, ORDERS);
  report('SQLite', await timeStarts(`sqlite:${path}`));
} finally {
  rmSync(dir, { recursive: true, force: true });
}

if (pgBaseUrl() !== null) {
  const database = await createTestDatabase();
  try {
    await seedPostgresBook(database.url, ORDERS);
    report('PostgreSQL', await timeStarts(database.url));
  } finally {
    await database.drop();
  }
}

writeFileSync(join(ROOT, 'bench/report/restart.json'), JSON.stringify(figures, null, 2) + '\n');
