// Where a restarted server's memory goes: the deep book of bench/restart.ts (N resting
// orders), `exchange serve` started on it, and once it listens, what V8's spaces hold
// (used against committed), Node's external memory and the resident set, then again while
// it sits idle. The numbers come from bench/memory-probe.mjs, preloaded into the server.
//   node --import tsx bench/restart-memory.ts [N] [--store sqlite|postgres] [--idle 20]
//     [--sqlite PATH] [--postgres URL] [--node-flag=--max-semi-space-size=16 ...]
// --sqlite/--postgres start on a book seeded before (and keep it) instead of seeding one;
// --node-flag adds a flag after the executable's own (a later V8 flag wins). Needs
// `npm run build`. PostgreSQL is measured when DATABASE_URL is set or --postgres given.

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createTestDatabase, pgBaseUrl } from '../harness/postgres.js';
import { seedPostgresBook, seedSqliteBook } from './postgres-book.js';
import { ROOT, spawnExchange } from './processes.js';

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    store: { type: 'string' },
    idle: { type: 'string', default: '20' },
    sqlite: { type: 'string' },
    postgres: { type: 'string' },
    'node-flag': { type: 'string', multiple: true, default: [] },
  },
});
const ORDERS = Number(positionals[0] ?? 1_000_000);
const IDLE_SECONDS = Number(opts.idle);
/** Seconds after listening at which the server is sampled again. */
const IDLE_SAMPLES = [1, 2, 5, 10, 20, 30, 60].filter((s) => s <= IDLE_SECONDS);

interface Sample {
  at: number;
  kernel: { rss: number; anon: number; file: number; hwm: number };
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  spaces: Record<string, { used: number; committed: number }>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function measure(name: string, db: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'exchange-memory-'));
  const out = join(dir, 'samples.jsonl');
  process.env.MEMORY_PROBE_OUT = out;
  const flags = ['--import', join(ROOT, 'bench/memory-probe.mjs'), ...opts['node-flag']];
  const started = performance.now();
  const server = await spawnExchange(db, 'off', 0, flags);
  const seconds = (performance.now() - started) / 1000;
  const samples: Sample[] = [];
  const sample = async (): Promise<Sample> => {
    const before = existsSync(out) ? readFileSync(out, 'utf8').split('\n').length : 1;
    process.kill(server.pid, 'SIGUSR2');
    for (;;) {
      await sleep(20);
      const lines = existsSync(out) ? readFileSync(out, 'utf8').split('\n') : [];
      if (lines.length > before) return JSON.parse(lines[lines.length - 2]!) as Sample;
    }
  };
  try {
    const listening = await sample();
    samples.push(listening);
    for (const at of IDLE_SAMPLES) {
      await sleep(Math.max(0, listening.at + at * 1000 - Date.now()));
      samples.push(await sample());
    }
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  print(name, seconds, samples);
}

function print(name: string, seconds: number, samples: Sample[]): void {
  const first = samples[0]!;
  console.log(`\n${name}: listening after ${seconds.toFixed(2)} s`);
  console.log('  at listening, MiB used / committed:');
  for (const [space, { used, committed }] of Object.entries(first.spaces)) {
    if (committed === 0) continue;
    console.log(`    ${space.padEnd(26)} ${used.toFixed(1).padStart(7)} / ${committed.toFixed(1)}`);
  }
  console.log(
    `    heap ${first.heapUsed} / ${first.heapTotal}, external ${first.external} ` +
      `(array buffers ${first.arrayBuffers})`,
  );
  console.log(
    '  s after listening: RSS (anon + file), peak, heap used / committed, young committed',
  );
  for (const s of samples) {
    const young =
      (s.spaces.new_space?.committed ?? 0) + (s.spaces.new_large_object_space?.committed ?? 0);
    console.log(
      `    ${((s.at - first.at) / 1000).toFixed(0).padStart(3)}  ${s.kernel.rss.toFixed(0)} ` +
        `(${s.kernel.anon.toFixed(0)} + ${s.kernel.file.toFixed(0)}), ${s.kernel.hwm.toFixed(0)}, ` +
        `${s.heapUsed.toFixed(0)} / ${s.heapTotal.toFixed(0)}, ${young.toFixed(0)}`,
    );
  }
}

console.log(`memory of a server restarted with ${ORDERS.toLocaleString('en-US')} open orders`);
const flagsNote = opts['node-flag'].length === 0 ? '' : ` (with ${opts['node-flag'].join(' ')})`;
if (flagsNote !== '') console.log(flagsNote.trim());

if (opts.store !== 'postgres') {
  if (opts.sqlite !== undefined) {
    if (!existsSync(opts.sqlite)) await seedSqliteBook(opts.sqlite, ORDERS);
    await measure('SQLite', `sqlite:${opts.sqlite}`);
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'exchange-restart-'));
    try {
      const path = join(dir, 'deep.db');
      await seedSqliteBook(path, ORDERS);
      await measure('SQLite', `sqlite:${path}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

if (opts.store !== 'sqlite') {
  if (opts.postgres !== undefined) {
    await measure('PostgreSQL', opts.postgres);
  } else if (pgBaseUrl() !== null) {
    const database = await createTestDatabase();
    try {
      await seedPostgresBook(database.url, ORDERS);
      await measure('PostgreSQL', database.url);
    } finally {
      await database.drop();
    }
  }
}
