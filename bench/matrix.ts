// `npm run bench` / `exchange bench`: the benchmark matrix and its report.
//
// Every run measures each cell once, cells interleaved, so slow drifts of the machine hit all
// cells alike; each figure is the median of the runs, with min and max. Cells:
//   - the transport floor: a bare server in the same runtime that only reads the framing and
//     returns a fixed reply, with 1 and 2 processes (and 1 pinned);
//   - the exchange per store (memory, SQLite FULL, PostgreSQL when DATABASE_URL is set) and
//     per --workers (0: one process; N: N gateways + the engine), classic and framed;
//   - the same on SQLite pinned with taskset: the engine on core 0, gateways and the load
//     generator on the other cores;
//   - the classic port at half of its maximum, open loop (latency under load);
//   - the engine in process (mixed flow, empty book and 1M resting orders) and CPU profiles.
// Writes bench/report/{report.md, report.html, *.svg, results.json} and, with --pdf,
// report.pdf; --from results.json re-renders a report without measuring.

import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { cpus, release, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pgBaseUrl } from '../harness/postgres.js';
import {
  cellName,
  fundMixedFlow,
  loadJob,
  type Cell,
  type EngineResults,
  type Mode,
  type StoreKind,
} from './matrix-cells.js';
import type { LoadSummary } from './load-worker.js';
import { coreLayout, pinServer, type CoreLayout } from './pinning.js';
import {
  mainThreadCpuSeconds,
  ROOT,
  runLoadWorker,
  runNode,
  spawnExchangeOnStore,
  spawnFloor,
  type BenchServer,
} from './processes.js';
import { mainThreadProfile, summarizeProfile, type ProfileSummary } from './profile.js';
import { readResults, writeReport, type MatrixResults } from './matrix-report.js';
import { fdatasyncMs } from './disk-sync.js';

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: process.env.BENCH_RUNS ?? '5' },
    seconds: { type: 'string', default: process.env.BENCH_SECONDS ?? '3' },
    warmup: { type: 'string', default: process.env.BENCH_WARMUP ?? '2' },
    stores: { type: 'string', default: process.env.BENCH_STORES },
    workers: { type: 'string', default: process.env.BENCH_WORKERS },
    modes: { type: 'string', default: process.env.BENCH_MODES ?? 'classic,framed' },
    'engine-commands': { type: 'string', default: process.env.BENCH_ENGINE_COMMANDS ?? '1000000' },
    depth: { type: 'string', default: process.env.BENCH_DEPTH ?? '1000000' },
    'no-pin': { type: 'boolean', default: false },
    'no-profile': { type: 'boolean', default: false },
    pdf: { type: 'boolean', default: false },
    /** Re-renders the report from a results.json of an earlier run, measuring nothing. */
    from: { type: 'string' },
    out: { type: 'string', default: join(ROOT, 'bench/report') },
  },
});

const RUNS = Number(opts.runs);
const SECONDS = Number(opts.seconds);
const WARMUP_SECONDS = Number(opts.warmup);
const CORES = cpus().length;
const list = (s: string): string[] =>
  s
    .split(',')
    .map((w) => w.trim())
    .filter((w) => w !== '');
const STORES = (
  opts.stores !== undefined
    ? list(opts.stores)
    : ['memory', 'sqlite', ...(pgBaseUrl() !== null ? ['postgres'] : [])]
) as StoreKind[];
const WORKERS =
  opts.workers !== undefined
    ? list(opts.workers).map(Number)
    : Array.from({ length: CORES + 1 }, (_, i) => i);
const MODES = list(opts.modes!) as Mode[];
/** Requests per swap session (a pair of users: 6 + 2), for the open-loop rate. */
const SWAP_REQUESTS = 8;

function buildCells(layout: CoreLayout | null): Cell[] {
  const cells: Cell[] = [];
  for (const mode of MODES) {
    const bare = (workers: number, pinned = false): Cell => ({
      mode,
      kind: 'bare',
      store: null,
      workers,
      pinned,
    });
    cells.push(bare(1), bare(2));
    if (layout !== null) cells.push(bare(1, true));
    for (const store of STORES) {
      for (const workers of WORKERS)
        cells.push({ mode, kind: 'exchange', store, workers, pinned: false });
    }
    if (layout !== null && STORES.includes('sqlite')) {
      for (const workers of WORKERS)
        cells.push({ mode, kind: 'exchange', store: 'sqlite', workers, pinned: true });
    }
  }
  return cells;
}

const dir = mkdtempSync(join(tmpdir(), 'exchange-bench-'));
const startExchange = (store: StoreKind, workers: number, nodeFlags: readonly string[] = []) =>
  spawnExchangeOnStore(store, dir, workers, nodeFlags);

function startCell(cell: Cell): Promise<BenchServer> {
  if (cell.kind === 'exchange') return startExchange(cell.store!, cell.workers);
  return spawnFloor({ processes: cell.workers === 1 ? 0 : cell.workers });
}

async function measureCell(
  cell: Cell,
  server: BenchServer,
  seed: number,
  layout: CoreLayout | null,
  rate?: number,
): Promise<{ summary: LoadSummary; engineUs: number | null }> {
  if (cell.kind === 'exchange') await fundMixedFlow(server.port);
  if (cell.pinned && layout !== null) pinServer(server.pid, layout);
  const job = (durationMs: number, seed: number) =>
    loadJob(cell.mode, server, durationMs, seed, cell.kind === 'bare');
  const others = cell.pinned && layout !== null ? layout.others : undefined;
  // Every server starts cold: V8 compiles its hot code during the first seconds of load, on
  // the same two cores, and the exchange has far more code to compile than the floor. A
  // server runs for hours; the figure is its throughput once warm, so the same closed-loop
  // load runs first, unmeasured, for every cell alike.
  if (WARMUP_SECONDS > 0) await runLoadWorker(job(WARMUP_SECONDS * 1000, seed + 1000), others);
  const cpuBefore = mainThreadCpuSeconds(server.pid);
  const summary = await runLoadWorker(
    { ...job(SECONDS * 1000, seed), ...(rate === undefined ? {} : { rate }) },
    others,
  );
  const cpuAfter = mainThreadCpuSeconds(server.pid);
  const served = summary.requests + summary.checkRequests;
  const engineUs =
    cell.kind === 'exchange' && cpuBefore !== null && cpuAfter !== null && served > 0
      ? ((cpuAfter - cpuBefore) * 1e6) / served
      : null;
  return { summary, engineUs };
}

async function engineFigures(): Promise<EngineResults | null> {
  if (Number(opts['engine-commands']) === 0) return null;
  const out = await runNode(
    ['--expose-gc', '--max-semi-space-size=64', '--import', 'tsx', 'bench/deep-book.ts', '--json'],
    {
      env: {
        ...process.env,
        BENCH_RUNS: String(RUNS),
        BENCH_DEPTH: opts.depth,
        BENCH_ENGINE_COMMANDS: opts['engine-commands'],
      },
    },
  );
  return JSON.parse(out.trim().split('\n').pop()!) as EngineResults;
}

const ENGINE_PROFILE =
  'engine in process, mixed flow (the whole process: recording the flow and building its requests too)';

/** CPU profiles: the engine in process, and the one-process exchange on SQLite per mode. */
async function profiles(): Promise<Map<string, ProfileSummary>> {
  const found = new Map<string, ProfileSummary>();
  if (opts['no-profile']) return found;
  const engineDir = join(dir, 'prof-engine');
  await runNode([
    '--cpu-prof',
    `--cpu-prof-dir=${engineDir}`,
    '--max-semi-space-size=64',
    '--import',
    'tsx',
    'bench/engine.ts',
    '300000',
  ]);
  const engine = mainThreadProfile(engineDir);
  // The whole process: recording the flow and building each batch's requests, which the
  // engine's figures leave out, are in it too (validateOrder, parseDecimal and the like).
  if (engine !== null) found.set(ENGINE_PROFILE, summarizeProfile(engine));
  for (const mode of MODES) {
    if (!STORES.includes('sqlite')) continue;
    const profDir = join(dir, `prof-${mode}`);
    mkdirSync(profDir, { recursive: true });
    const server = await startExchange('sqlite', 0, ['--cpu-prof', `--cpu-prof-dir=${profDir}`]);
    const cell: Cell = { mode, kind: 'exchange', store: 'sqlite', workers: 0, pinned: false };
    try {
      await measureCell(cell, server, 99, null);
    } finally {
      await server.stop();
    }
    const profile = mainThreadProfile(profDir, server.pid);
    if (profile !== null)
      found.set(`exchange ${mode}, SQLite, --workers 0`, summarizeProfile(profile));
    else console.log(`no profile found in ${readdirSync(profDir).join(', ')}`);
  }
  return found;
}

async function main(): Promise<void> {
  if (opts.from !== undefined) {
    const written = writeReport(readResults(opts.from), opts.out!, opts.pdf!);
    console.log(`wrote ${written.join(', ')}`);
    return;
  }
  const layout = opts['no-pin'] ? null : coreLayout();
  const machine =
    `${CORES} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, ` +
    `Linux ${release()}, Node ${process.version}`;
  const cells = buildCells(layout);
  console.log(`machine: ${machine}`);
  console.log(
    `${cells.length} cells × ${RUNS} runs of ${SECONDS} s (after ${WARMUP_SECONDS} s of warm-up); pinning: ${layout === null ? 'off' : `engine cpu ${layout.engine}, others cpu ${layout.others}`}`,
  );

  const results: MatrixResults = {
    machine,
    runs: RUNS,
    seconds: SECONDS,
    warmupSeconds: WARMUP_SECONDS,
    layout,
    cells,
    summaries: new Map(cells.map((c) => [c, []])),
    engineUs: new Map(cells.map((c) => [c, []])),
    halfLoad: [],
    engine: null,
    profiles: new Map(),
    date: new Date().toISOString().slice(0, 10),
    fdatasyncMs: fdatasyncMs(dir),
  };
  try {
    for (let run = 0; run < RUNS; run++) {
      for (const cell of cells) {
        const server = await startCell(cell);
        try {
          const { summary, engineUs } = await measureCell(cell, server, run + 1, layout);
          results.summaries.get(cell)!.push(summary);
          console.log(
            `  ${cellName(cell)}: ${Math.round(summary.requestsPerSecond)} requests/s, p99 ${(summary.p99Us / 1000).toFixed(2)} ms`,
          );
          if (engineUs !== null) results.engineUs.get(cell)!.push(engineUs);
        } finally {
          await server.stop();
        }
      }
      // Latency at half of this run's classic maximum (SQLite, one process), open loop, and
      // the bare floor's at the same offered requests/s, so the two tails compare.
      const maxCell = cells.find(
        (c) => c.mode === 'classic' && c.store === 'sqlite' && c.workers === 0 && !c.pinned,
      );
      const floorCell = cells.find(
        (c) => c.mode === 'classic' && c.kind === 'bare' && c.workers === 1 && !c.pinned,
      );
      if (maxCell !== undefined) {
        const max = results.summaries.get(maxCell)!.at(-1)!.requestsPerSecond;
        const openLoop = async (cell: Cell, rate: number): Promise<LoadSummary> => {
          const server = await startCell(cell);
          try {
            return (await measureCell(cell, server, run + 1, null, rate)).summary;
          } finally {
            await server.stop();
          }
        };
        const summary = await openLoop(maxCell, max / 2 / SWAP_REQUESTS);
        // The floor runs the one-request mixed sessions: the same requests/s offered.
        const floor = floorCell === undefined ? undefined : await openLoop(floorCell, max / 2);
        results.halfLoad.push({ max, summary, ...(floor === undefined ? {} : { floor }) });
      }
      console.log(`run ${run + 1}/${RUNS} done`);
    }
    console.log('engine in process (mixed flow, empty book and deep book)…');
    results.engine = await engineFigures();
    console.log('profiles…');
    results.profiles = await profiles();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const written = writeReport(results, opts.out!, opts.pdf!);
  console.log(`\nwrote ${written.join(', ')}`);
}

await main();
