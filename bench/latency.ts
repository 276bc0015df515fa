// `npm run bench:latency`: where a durable classic request's time goes. The classic port's
// swap load (the matrix's) against the bare floor, the durable floor (the bare floor whose
// replies wait for a grouped flush: `bare-server.ts --durable`), the memory store and SQLite
// FULL, each server warmed up first by the same closed-loop load, unmeasured, as the matrix
// does:
//   - one client, closed loop: no queueing, so the durable path's own cost;
//   - 32 clients, closed loop: the maximum, as the matrix's classic cells;
//   - half of this run's SQLite maximum, open loop (sessions started on schedule, answered or
//     not, so queueing shows), as the matrix's p99 target.
// Beside the load generator's latency, each exchange's own figures for the same window, from
// its /metrics: a request from read to reply encoded (the server's share), a batch from its
// hand-off to the store to durable (the commit's share, group commit included), and a group
// written on the store's thread (its rows and its flush: the rest of the commit is waiting).
// Options (environment): BENCH_RUNS (default 5), BENCH_SECONDS (default 5),
// BENCH_WARMUP (default 2), BENCH_JSON (a file for the raw figures).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { bucketDelta, quantileMs, type Buckets } from '../src/metrics/percentiles.js';
import type { LoadJob, LoadSummary } from './load-worker.js';
import {
  processCpuSeconds,
  runLoadWorker,
  spawnExchange,
  spawnFloor,
  type BenchServer,
} from './processes.js';
import { median } from './stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP ?? 2);
/** Requests per swap session (a pair of users: 6 + 2); an open loop's rate is in sessions. */
const SWAP_REQUESTS = 8;

type Server = 'floor' | 'durable floor' | 'memory' | 'sqlite';
type Load = 'one client' | 'maximum' | 'half load';

/** Milliseconds at p50, p90, p99. */
interface Percentiles {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
}

interface Measurement {
  readonly load: Load;
  readonly server: Server;
  readonly requestsPerSecond: number;
  /** As the load generator saw it: connection, request and reply. */
  readonly client: Percentiles;
  /** The exchange's own, from read to reply encoded; null for the floors. */
  readonly inServer: Percentiles | null;
  /** A batch from its hand-off to the store to durable; null for the floors. */
  readonly commit: Percentiles | null;
  /** A group of batches written on the store's thread, rows and flush; null without one. */
  readonly write: Percentiles | null;
  /** CPU time of the server's process (every thread) per request, µs. */
  readonly serverCpuUs: number | null;
}

const REQUEST_SECONDS = 'exchange_request_duration_seconds';
const COMMIT_SECONDS = 'exchange_commit_duration_seconds';
const WRITE_SECONDS = 'exchange_store_write_seconds';

/** One histogram's cumulative buckets from a Prometheus text page, summed over its labels. */
function histogramBuckets(page: string, name: string): Map<number, number> {
  const buckets = new Map<number, number>();
  const prefix = `${name}_bucket{`;
  for (const line of page.split('\n')) {
    if (!line.startsWith(prefix)) continue;
    const le = /le="([^"]+)"/.exec(line)?.[1];
    if (le === undefined) continue;
    const bound = le === '+Inf' ? Infinity : Number(le);
    buckets.set(bound, (buckets.get(bound) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return buckets;
}

interface Scrape {
  readonly request: Buckets;
  readonly commit: Buckets;
  readonly write: Buckets;
}

async function scrape(server: BenchServer): Promise<Scrape> {
  const page = await (await fetch(`http://127.0.0.1:${server.httpPort}/metrics`)).text();
  return {
    request: histogramBuckets(page, REQUEST_SECONDS),
    commit: histogramBuckets(page, COMMIT_SECONDS),
    write: histogramBuckets(page, WRITE_SECONDS),
  };
}

/** A window's percentiles, from the histogram's buckets after it less before it; null if none. */
function percentiles(after: Buckets, before: Buckets): Percentiles | null {
  const window = bucketDelta(after, before);
  const at = (q: number): number | null => quantileMs(window, q);
  const p50 = at(0.5);
  return p50 === null ? null : { p50, p90: at(0.9)!, p99: at(0.99)! };
}

const fromSummary = (s: LoadSummary): Percentiles => ({
  p50: s.p50Us / 1000,
  p90: s.p90Us / 1000,
  p99: s.p99Us / 1000,
});

function start(server: Server, dir: string, run: number): Promise<BenchServer> {
  if (server === 'floor') return spawnFloor();
  if (server === 'durable floor') {
    return spawnFloor({ durableFile: join(dir, `${run}-${Date.now()}.flush`) });
  }
  const db = server === 'memory' ? 'memory:' : `sqlite:${join(dir, `${run}-${Date.now()}.db`)}`;
  return spawnExchange(db, 'off', 0, [], '0');
}

async function measure(
  server: Server,
  load: Load,
  dir: string,
  run: number,
  sessionsPerSecond?: number,
): Promise<Measurement> {
  const bench = await start(server, dir, run);
  const bare = server === 'floor' || server === 'durable floor';
  try {
    const job = (durationMs: number, seed: number): LoadJob => ({
      mode: 'classic',
      // The floor answers anything with a fixed document: the one-request mixed sessions.
      scenario: bare ? 'mixed' : 'swap',
      connections: load === 'one client' ? 1 : 32,
      port: bench.port,
      durationMs,
      accounts: 1,
      symbols: 1,
      seed,
    });
    if (WARMUP_SECONDS > 0) await runLoadWorker(job(WARMUP_SECONDS * 1000, run + 1000));
    const exchange = !bare;
    const before = exchange ? await scrape(bench) : null;
    const cpuBefore = processCpuSeconds(bench.pid);
    const rate =
      load !== 'half load' || sessionsPerSecond === undefined
        ? {}
        : // The floor's sessions are of one request: the same requests/s offered.
          { rate: bare ? sessionsPerSecond * SWAP_REQUESTS : sessionsPerSecond };
    const summary = await runLoadWorker({ ...job(SECONDS * 1000, run), ...rate });
    const cpuAfter = processCpuSeconds(bench.pid);
    const after = exchange ? await scrape(bench) : null;
    const served = summary.requests + summary.checkRequests;
    return {
      load,
      server,
      requestsPerSecond: summary.requestsPerSecond,
      client: fromSummary(summary),
      inServer: after === null ? null : percentiles(after.request, before!.request),
      commit: after === null ? null : percentiles(after.commit, before!.commit),
      write: after === null ? null : percentiles(after.write, before!.write),
      serverCpuUs:
        cpuBefore === null || cpuAfter === null || served === 0
          ? null
          : ((cpuAfter - cpuBefore) * 1e6) / served,
    };
  } finally {
    await bench.stop();
  }
}

const LOADS: readonly Load[] = ['one client', 'maximum', 'half load'];
const SERVERS: Record<Load, readonly Server[]> = {
  'one client': ['memory', 'sqlite'],
  maximum: ['floor', 'durable floor', 'memory', 'sqlite'],
  'half load': ['floor', 'durable floor', 'memory', 'sqlite'],
};

async function main(): Promise<void> {
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`);
  console.log(
    `classic port, swap scenario; ${RUNS} runs of ${SECONDS} s per cell, each server warmed up for ${WARMUP_SECONDS} s\n`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'exchange-latency-'));
  const all: Measurement[] = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      let sqliteMaximum: number | undefined;
      for (const load of LOADS) {
        for (const server of SERVERS[load]) {
          const sessions =
            sqliteMaximum === undefined ? undefined : sqliteMaximum / 2 / SWAP_REQUESTS;
          const m = await measure(server, load, dir, run, sessions);
          if (load === 'maximum' && server === 'sqlite') sqliteMaximum = m.requestsPerSecond;
          all.push(m);
          console.log(`run ${run + 1}, ${load}, ${server}: ${line(m)}`);
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log('\nmedians of the runs (ms):');
  console.log(
    '| load | server | requests/s | client p50 / p90 / p99 | in the server p50 / p90 / p99 | commit p50 / p90 / p99 | store write p50 / p90 / p99 | server CPU µs a request |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const load of LOADS) {
    for (const server of SERVERS[load]) {
      const cell = all.filter((m) => m.load === load && m.server === server);
      const med = (f: (m: Measurement) => number | null): number | null => {
        const values = cell.map(f).filter((v): v is number => v !== null);
        return values.length === 0 ? null : median(values);
      };
      const trio = (f: (m: Measurement) => Percentiles | null): string =>
        (['p50', 'p90', 'p99'] as const)
          .map((p) => med((m) => f(m)?.[p] ?? null))
          .map((v) => (v === null ? '-' : v.toFixed(2)))
          .join(' / ');
      const rps = med((m) => m.requestsPerSecond)!;
      const cpu = med((m) => m.serverCpuUs);
      console.log(
        `| ${load} | ${server} | ${Math.round(rps).toLocaleString('en-US')} | ${trio((m) => m.client)} | ${trio((m) => m.inServer)} | ${trio((m) => m.commit)} | ${trio((m) => m.write)} | ${cpu === null ? '-' : cpu.toFixed(1)} |`,
      );
    }
  }
  if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify(all, null, 2));
}

function line(m: Measurement): string {
  const trio = (p: Percentiles | null): string =>
    p === null ? '-' : `${p.p50.toFixed(2)}/${p.p90.toFixed(2)}/${p.p99.toFixed(2)}`;
  return (
    `${Math.round(m.requestsPerSecond)} requests/s; client ${trio(m.client)} ms,` +
    ` in the server ${trio(m.inServer)}, commit ${trio(m.commit)}, store write ${trio(m.write)}` +
    (m.serverCpuUs === null ? '' : `, server CPU ${m.serverCpuUs.toFixed(1)} µs a request`)
  );
}

await main();
