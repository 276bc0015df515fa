// `npm run bench`: the figures the README records, each the median of several runs.
//   1. the engine in process, mixed flow;
//   2. end to end over TCP, the exchange with durable SQLite against the transport floor
//      (a bare server that only reads the framing and replies a fixed document), measured
//      side by side in each run, classic and framed.
// Options (environment): BENCH_RUNS (default 5), BENCH_SECONDS per load (default 3),
// BENCH_ENGINE_COMMANDS (default 1,000,000; 0 skips the engine), BENCH_CELLS (comma-separated
// words; only the end-to-end cells whose name contains one of them run, e.g. "pg"),
// BENCH_FRAMED_WINDOW (requests in flight per framed connection, default 256).

import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { classicRequest } from '../src/client/classic-client.js';
import { MixedFlow } from '../src/load/mixed-flow.js';
import { benchEngine } from './engine.js';
import type { LoadJob, LoadSummary } from './load-worker.js';
import { runLoadWorker, spawnExchange, spawnServer, type BenchServer } from './processes.js';
import { DEFAULT_HISTORY_CACHE } from '../src/server/sequencer.js';
import { createTestDatabase, pgBaseUrl } from '../test/support/postgres.js';
import { median } from './stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ENGINE_COMMANDS = Number(process.env.BENCH_ENGINE_COMMANDS ?? 1_000_000);
/** Requests in flight per framed connection (4 connections). */
const FRAMED_WINDOW = Number(process.env.BENCH_FRAMED_WINDOW ?? 256);
const CELL_FILTER = (process.env.BENCH_CELLS ?? '')
  .split(',')
  .map((w) => w.trim())
  .filter((w) => w !== '');
const ACCOUNTS = 200;
const SYMBOLS = 4;

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

interface Cell {
  name: string;
  server: () => Promise<BenchServer>;
  setup: boolean;
  job: Omit<LoadJob, 'port' | 'durationMs' | 'accounts' | 'symbols' | 'seed'>;
  portOf: (s: BenchServer) => number;
}

async function main(): Promise<void> {
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`);
  console.log(`runs: ${RUNS} (median reported), ${SECONDS} s per load run\n`);

  console.log('engine, mixed flow (55% orders, 25% queries, 20% cancels), in process:');
  for (const cache of ENGINE_COMMANDS > 0 ? [DEFAULT_HISTORY_CACHE, 0] : []) {
    const engine = benchEngine(ENGINE_COMMANDS, RUNS, cache);
    console.log(
      `  history cache ${fmt(cache).padStart(6)}: ${fmt(engine.commandsPerSecond)} commands/s = ` +
        `${fmt(engine.ordersPerSecond)} order placements/s  (runs: ${engine.runs.map(fmt).join(', ')})`,
    );
  }
  console.log();

  const dir = mkdtempSync(join(tmpdir(), 'exchange-bench-'));
  let dbCounter = 0;
  const exchange = (): Promise<BenchServer> =>
    spawnExchange(`sqlite:${join(dir, `bench-${dbCounter++}.db`)}`);
  const bare = (): Promise<BenchServer> => spawnServer(['--import', 'tsx', 'bench/bare-server.ts']);

  const allCells: Cell[] = [
    {
      name: 'classic  bare floor',
      server: bare,
      setup: false,
      job: { mode: 'classic', connections: 16 },
      portOf: (s) => s.port,
    },
    {
      name: 'classic  exchange  ',
      server: exchange,
      setup: true,
      job: { mode: 'classic', connections: 16 },
      portOf: (s) => s.port,
    },
    {
      name: 'framed   bare floor',
      server: bare,
      setup: false,
      job: { mode: 'framed', connections: 4, window: FRAMED_WINDOW, ordersOnly: true },
      portOf: (s) => s.framedPort,
    },
    {
      name: 'framed   exchange  ',
      server: exchange,
      setup: true,
      job: { mode: 'framed', connections: 4, window: FRAMED_WINDOW, ordersOnly: true },
      portOf: (s) => s.framedPort,
    },
  ];
  // With DATABASE_URL set: the same framed load on PostgreSQL (synchronous_commit=on, the
  // server default), a fresh database per run.
  if (pgBaseUrl() !== null) {
    allCells.push({
      name: 'framed   exchange pg',
      server: async () => {
        const db = await createTestDatabase();
        const server = await spawnExchange(db.url);
        return { ...server, stop: () => server.stop().then(() => db.drop()) };
      },
      setup: true,
      job: { mode: 'framed', connections: 4, window: FRAMED_WINDOW, ordersOnly: true },
      portOf: (s) => s.framedPort,
    });
  }

  const cells = allCells.filter(
    (c) => CELL_FILTER.length === 0 || CELL_FILTER.some((w) => c.name.includes(w)),
  );
  const results = new Map<string, LoadSummary[]>();
  const ratios = { classic: [] as number[], framed: [] as number[] };
  try {
    for (let run = 0; run < RUNS; run++) {
      const perRun = new Map<string, LoadSummary>();
      for (const cell of cells) {
        const server = await cell.server();
        try {
          // Funds the flow's accounts (same accounts and seed as the load worker's flow).
          if (cell.setup) {
            const flow = new MixedFlow({ accounts: ACCOUNTS, symbols: SYMBOLS });
            await classicRequest(server.port, flow.setupXml());
          }
          const summary = await runLoadWorker({
            ...cell.job,
            port: cell.portOf(server),
            durationMs: SECONDS * 1000,
            accounts: ACCOUNTS,
            symbols: SYMBOLS,
            seed: run + 1,
          });
          perRun.set(cell.name, summary);
          results.set(cell.name, [...(results.get(cell.name) ?? []), summary]);
        } finally {
          await server.stop();
        }
      }
      const rate = (name: string): number => perRun.get(name)?.requestsPerSecond ?? NaN;
      ratios.classic.push(rate('classic  exchange  ') / rate('classic  bare floor'));
      ratios.framed.push(rate('framed   exchange  ') / rate('framed   bare floor'));
      process.stdout.write(`run ${run + 1}/${RUNS} done\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  console.log(
    '\nend to end over loopback TCP, exchange with SQLite synchronous=FULL (pg: PostgreSQL, synchronous_commit=on), medians:',
  );
  console.log('  cell                  requests/s   orders/s     p50 ms  p99 ms  failed');
  for (const cell of cells) {
    const rows = results.get(cell.name)!;
    const m = (f: (s: LoadSummary) => number): number => median(rows.map(f));
    console.log(
      `  ${cell.name}   ${fmt(m((s) => s.requestsPerSecond)).padStart(10)}   ${fmt(m((s) => s.ordersPerSecond)).padStart(9)}` +
        `   ${(m((s) => s.p50Us) / 1000).toFixed(2).padStart(6)}  ${(m((s) => s.p99Us) / 1000).toFixed(2).padStart(6)}` +
        `  ${m((s) => s.failed)}   runs: ${rows.map((s) => fmt(s.ordersPerSecond)).join(', ')} orders/s`,
    );
  }
  for (const [kind, values] of Object.entries(ratios)) {
    if (values.some((r) => Number.isNaN(r))) continue;
    console.log(
      `  ${kind}: exchange / bare floor = ${median(values).toFixed(2)} (runs: ${values.map((r) => r.toFixed(2)).join(', ')})`,
    );
  }
  console.log(
    `  (classic: 16 concurrent connections, mixed flow; framed: 4 connections × ${FRAMED_WINDOW} pipelined, orders only)`,
  );
}

await main();
