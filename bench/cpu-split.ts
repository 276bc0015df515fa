// Where a request's CPU time goes, when the server and the load generator share the cores:
// the matrix's classic and framed loads on the bare floor and on the one-process exchange
// (memory, SQLite, and PostgreSQL with DATABASE_URL), in interleaved rounds. For each, the
// CPU time per request of the server (every thread, from /proc) and of the load generator
// (its own process.cpuUsage), each split into user and system (kernel) time. Callgrind counts
// user-space instructions only; here the kernel's share (TCP on loopback, a connection per
// classic request, the disk's sync) is in. Each server is warmed up first, as in the matrix.
//   npm run bench:cpu-split -- [--seconds S] [--warmup W] [--rounds R] [--modes classic,framed]
// Writes bench/report/cpu-split.json, which the matrix's report reads.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pgBaseUrl } from '../harness/postgres.js';
import {
  ROOT,
  processCpuSplit,
  runLoadWorker,
  spawnExchangeOnStore,
  spawnServer,
  type BenchServer,
} from './processes.js';
import { median } from './stats.js';
import { fundMixedFlow, loadJob, type Mode, type StoreKind } from './matrix-cells.js';

const { values: opts } = parseArgs({
  options: {
    seconds: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
    modes: { type: 'string', default: 'classic,framed' },
    json: { type: 'string', default: join(ROOT, 'bench/report/cpu-split.json') },
  },
});

type ServerKind = 'bare' | StoreKind;

/** CPU µs per request, user and system. */
export interface CpuPerRequest {
  readonly user: number;
  readonly system: number;
}

/** One server under one load: medians over the rounds. */
export interface CpuSplitRow {
  readonly mode: Mode;
  readonly server: ServerKind;
  readonly requestsPerSecond: number;
  readonly serverCpu: CpuPerRequest;
  readonly generatorCpu: CpuPerRequest;
  /** CPU seconds used per second of the run, both processes: 2 is both cores busy. */
  readonly coresBusy: number;
}

export interface CpuSplitFigures {
  readonly date: string;
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly rounds: number;
  readonly rows: CpuSplitRow[];
}

const dir = mkdtempSync(join(tmpdir(), 'cpu-split-'));

function start(kind: ServerKind): Promise<BenchServer> {
  if (kind === 'bare') return spawnServer(['--import', 'tsx', 'bench/bare-server.ts', '0']);
  return spawnExchangeOnStore(kind, dir);
}

interface Round {
  readonly requestsPerSecond: number;
  readonly serverCpu: CpuPerRequest;
  readonly generatorCpu: CpuPerRequest;
  readonly coresBusy: number;
}

async function measure(kind: ServerKind, mode: Mode, seed: number): Promise<Round> {
  const server = await start(kind);
  try {
    if (kind !== 'bare') await fundMixedFlow(server.port);
    const job = (seconds: number, seed: number) =>
      loadJob(mode, server, seconds * 1000, seed, kind === 'bare');
    // As in the matrix: measured warm, V8's compiling of the hot code done.
    if (Number(opts.warmup) > 0) await runLoadWorker(job(Number(opts.warmup), seed + 1000));
    const before = processCpuSplit(server.pid);
    const summary = await runLoadWorker(job(Number(opts.seconds), seed));
    const after = processCpuSplit(server.pid);
    if (before === null || after === null) throw new Error('no /proc: CPU times unknown');
    const served = summary.requests + summary.checkRequests;
    const perRequest = (seconds: number): number => (seconds * 1e6) / served;
    const serverCpu = {
      user: perRequest(after.user - before.user),
      system: perRequest(after.system - before.system),
    };
    const generatorCpu = {
      user: summary.generatorCpu.user / served,
      system: summary.generatorCpu.system / served,
    };
    // Over the generator's run, its check included (the server is idle outside it).
    const cpuSeconds =
      after.user -
      before.user +
      after.system -
      before.system +
      (summary.generatorCpu.user + summary.generatorCpu.system) / 1e6;
    return {
      requestsPerSecond: summary.requestsPerSecond,
      serverCpu,
      generatorCpu,
      coresBusy: cpuSeconds / (summary.generatorMs / 1000),
    };
  } finally {
    await server.stop();
  }
}

const medianOf = (rounds: readonly Round[], pick: (r: Round) => number): number =>
  median(rounds.map(pick));

const us = (n: number): string => n.toFixed(1).padStart(7);
const modes = opts.modes!.split(',') as Mode[];
const kinds: ServerKind[] = [
  'bare',
  'memory',
  'sqlite',
  ...(pgBaseUrl() !== null ? (['postgres'] as const) : []),
];
const rows: CpuSplitRow[] = [];
try {
  for (const mode of modes) {
    const rounds = new Map<ServerKind, Round[]>(kinds.map((k) => [k, []]));
    for (let round = 0; round < Number(opts.rounds); round++) {
      for (const kind of kinds) rounds.get(kind)!.push(await measure(kind, mode, round + 1));
    }
    console.log(
      `${mode}: CPU µs per request (medians of ${opts.rounds} rounds), server and load generator`,
    );
    console.log('  server     req/s   srv user  srv sys  gen user  gen sys  cores busy');
    for (const kind of kinds) {
      const r = rounds.get(kind)!;
      const row: CpuSplitRow = {
        mode,
        server: kind,
        requestsPerSecond: medianOf(r, (x) => x.requestsPerSecond),
        serverCpu: {
          user: medianOf(r, (x) => x.serverCpu.user),
          system: medianOf(r, (x) => x.serverCpu.system),
        },
        generatorCpu: {
          user: medianOf(r, (x) => x.generatorCpu.user),
          system: medianOf(r, (x) => x.generatorCpu.system),
        },
        coresBusy: medianOf(r, (x) => x.coresBusy),
      };
      rows.push(row);
      console.log(
        `  ${kind.padEnd(9)} ${row.requestsPerSecond.toFixed(0).padStart(6)}  ${us(row.serverCpu.user)}  ${us(row.serverCpu.system)}  ` +
          `${us(row.generatorCpu.user)}  ${us(row.generatorCpu.system)}  ${row.coresBusy.toFixed(2).padStart(6)}`,
      );
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const figures: CpuSplitFigures = {
  date: new Date().toISOString().slice(0, 10),
  seconds: Number(opts.seconds),
  warmupSeconds: Number(opts.warmup),
  rounds: Number(opts.rounds),
  rows,
};
writeFileSync(opts.json!, JSON.stringify(figures, null, 2) + '\n');
