// Where a request's CPU time goes, when the server and the load generator share the cores,
// and what the targets allow there: the matrix's classic and framed loads on the bare floor,
// on the durable floor (the bare floor whose replies wait for a grouped flush:
// `bare-server.ts --durable`, what any store that flushes before it replies costs at least)
// and on the one-process exchange (memory, SQLite, and PostgreSQL with DATABASE_URL), in
// interleaved rounds, with each round's ratio to the bare floor. For each, the CPU time per
// request of the server (every thread, from /proc), of PostgreSQL's processes and of the load
// generator (its own process.cpuUsage), each split into user and system (kernel) time.
// Callgrind counts user-space instructions only; here the kernel's share (TCP on loopback, a
// connection per classic request, the disk's sync) is in. Each server is warmed up first, as
// in the matrix.
//   npm run bench:cpu-split -- [--seconds S] [--warmup W] [--rounds R] [--modes classic,framed]
// Writes bench/report/cpu-split.json, which the matrix's report reads.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pgBaseUrl } from '../harness/postgres.js';
import {
  ROOT,
  postgresCpuSplit,
  processCpuSplit,
  runLoadWorker,
  spawnExchangeOnStore,
  spawnFloor,
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

/** The floors ('durable': the durable floor) and the stores. */
type ServerKind = 'bare' | 'durable' | StoreKind;

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
  /** The median of the rounds' ratios to the bare floor (absent from older figures). */
  readonly ratio?: number;
  readonly serverCpu: CpuPerRequest;
  /** PostgreSQL's processes (absent from older figures, which did not count them). */
  readonly postgresCpu?: CpuPerRequest;
  readonly generatorCpu: CpuPerRequest;
  /** CPU seconds used per second of the run, all of the above: 2 is both cores busy. */
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

const isFloor = (kind: ServerKind): boolean => kind === 'bare' || kind === 'durable';

function start(kind: ServerKind): Promise<BenchServer> {
  if (kind === 'bare') return spawnFloor();
  if (kind === 'durable') return spawnFloor({ durableFile: join(dir, `flush-${Date.now()}`) });
  return spawnExchangeOnStore(kind, dir);
}

interface Round {
  readonly requestsPerSecond: number;
  readonly serverCpu: CpuPerRequest;
  readonly postgresCpu: CpuPerRequest;
  readonly generatorCpu: CpuPerRequest;
  readonly coresBusy: number;
}

const minus = (
  after: { user: number; system: number },
  before: { user: number; system: number },
  perRequest: (seconds: number) => number,
): CpuPerRequest => ({
  user: perRequest(after.user - before.user),
  system: perRequest(after.system - before.system),
});

async function measure(kind: ServerKind, mode: Mode, seed: number): Promise<Round> {
  const server = await start(kind);
  try {
    if (!isFloor(kind)) await fundMixedFlow(server.port);
    const job = (seconds: number, seed: number) =>
      loadJob(mode, server, seconds * 1000, seed, isFloor(kind));
    // As in the matrix: measured warm, V8's compiling of the hot code done.
    if (Number(opts.warmup) > 0) await runLoadWorker(job(Number(opts.warmup), seed + 1000));
    const before = processCpuSplit(server.pid);
    const postgresBefore = postgresCpuSplit();
    const summary = await runLoadWorker(job(Number(opts.seconds), seed));
    const after = processCpuSplit(server.pid);
    const postgresAfter = postgresCpuSplit();
    if (before === null || after === null) throw new Error('no /proc: CPU times unknown');
    const served = summary.requests + summary.checkRequests;
    const perRequest = (seconds: number): number => (seconds * 1e6) / served;
    const serverCpu = minus(after, before, perRequest);
    const postgresCpu = minus(postgresAfter, postgresBefore, perRequest);
    const generatorCpu = {
      user: summary.generatorCpu.user / served,
      system: summary.generatorCpu.system / served,
    };
    // Over the generator's run, its check included (the server is idle outside it).
    const cpuSeconds =
      ((cpuOf(serverCpu) + cpuOf(postgresCpu) + cpuOf(generatorCpu)) * served) / 1e6;
    return {
      requestsPerSecond: summary.requestsPerSecond,
      serverCpu,
      postgresCpu,
      generatorCpu,
      coresBusy: cpuSeconds / (summary.generatorMs / 1000),
    };
  } finally {
    await server.stop();
  }
}

const cpuOf = (c: CpuPerRequest): number => c.user + c.system;

const medianOf = (rounds: readonly Round[], pick: (r: Round) => number): number =>
  median(rounds.map(pick));
const medianCpu = (rounds: readonly Round[], pick: (r: Round) => CpuPerRequest): CpuPerRequest => ({
  user: medianOf(rounds, (x) => pick(x).user),
  system: medianOf(rounds, (x) => pick(x).system),
});

const us = (n: number): string => n.toFixed(1).padStart(7);
const modes = opts.modes!.split(',') as Mode[];
const kinds: ServerKind[] = [
  'bare',
  'durable',
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
    // Each round's ratio to the bare floor of the same round.
    const floors = rounds.get('bare')!;
    console.log(
      `${mode}: CPU µs per request (medians of ${opts.rounds} rounds), server, PostgreSQL and load generator`,
    );
    console.log(
      '  server     req/s  ratio   srv user  srv sys    pg user   pg sys  gen user  gen sys  cores busy',
    );
    for (const kind of kinds) {
      const r = rounds.get(kind)!;
      const row: CpuSplitRow = {
        mode,
        server: kind,
        requestsPerSecond: medianOf(r, (x) => x.requestsPerSecond),
        ratio: median(r.map((x, i) => x.requestsPerSecond / floors[i]!.requestsPerSecond)),
        serverCpu: medianCpu(r, (x) => x.serverCpu),
        postgresCpu: medianCpu(r, (x) => x.postgresCpu),
        generatorCpu: medianCpu(r, (x) => x.generatorCpu),
        coresBusy: medianOf(r, (x) => x.coresBusy),
      };
      rows.push(row);
      console.log(
        `  ${kind.padEnd(9)} ${row.requestsPerSecond.toFixed(0).padStart(6)}  ${row.ratio!.toFixed(2)}  ` +
          `${us(row.serverCpu.user)}  ${us(row.serverCpu.system)}  ${us(row.postgresCpu!.user)}  ${us(row.postgresCpu!.system)}  ` +
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
