// `npm run bench:durable-floor`: what the durable targets allow on this machine. Beside the
// bare floor and the exchange (memory store, SQLite FULL, and PostgreSQL with DATABASE_URL),
// the durable floor: the bare floor whose replies each wait for a durable write started after
// their request arrived, one at a time, grouped (`bench/bare-server.ts --durable`). It does
// nothing a store does but the flush, so no store that flushes before it replies can beat it.
// Both of the matrix's loads, every cell warmed up first, cells interleaved in each round;
// ratios to the floor of the same round, and CPU time per request of the server (every
// thread), of PostgreSQL's processes and of the load generator, which share the two cores.
// Options: --rounds R (5), --seconds S (5), --warmup S (2), --modes classic,framed,
// --json FILE.

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fundMixedFlow, loadJob, type Mode, type StoreKind } from './matrix-cells.js';
import {
  processCpuSeconds,
  runLoadWorker,
  spawnExchangeOnStore,
  spawnServer,
  type BenchServer,
} from './processes.js';
import { median } from './stats.js';

const { values: opts } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '2' },
    modes: { type: 'string', default: 'classic,framed' },
    json: { type: 'string' },
  },
});
const ROUNDS = Number(opts.rounds);
const SECONDS = Number(opts.seconds);
const WARMUP_SECONDS = Number(opts.warmup);
const MODES = opts.modes!.split(',') as Mode[];

export type DurableFloorSubject = 'floor' | 'durable floor' | StoreKind;

/** One server under one load: a round's figures, or the medians of the rounds. */
export interface DurableFloorCell {
  readonly mode: Mode;
  readonly subject: DurableFloorSubject;
  readonly requestsPerSecond: number;
  /** CPU µs a request: the server's process, PostgreSQL's processes, the load generator. */
  readonly serverUs: number;
  readonly postgresUs: number;
  readonly generatorUs: number;
}

/** What `--json` writes, and the matrix's report reads. */
export interface DurableFloorFigures {
  readonly date: string;
  readonly rounds: number;
  readonly seconds: number;
  /** Medians of the rounds, with the median of the per-round ratios to the floor. */
  readonly cells: readonly (DurableFloorCell & { readonly ratio: number })[];
  readonly runs: readonly Run[];
}

interface Run extends DurableFloorCell {
  readonly round: number;
}

const SUBJECTS: readonly DurableFloorSubject[] = [
  'floor',
  'durable floor',
  'memory',
  'sqlite',
  ...(process.env.DATABASE_URL ? (['postgres'] as const) : []),
];

/** CPU seconds so far of every process named postgres (the server's backends among them). */
function postgresCpuSeconds(): number {
  let seconds = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') continue;
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      seconds += (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      // The process ended in between.
    }
  }
  return seconds;
}

function start(subject: DurableFloorSubject, dir: string): Promise<BenchServer> {
  if (subject === 'floor') return spawnServer(['--import', 'tsx', 'bench/bare-server.ts', '0']);
  if (subject === 'durable floor') {
    const file = join(dir, `flush-${Date.now()}`);
    return spawnServer(['--import', 'tsx', 'bench/bare-server.ts', '0', '--durable', file]);
  }
  return spawnExchangeOnStore(subject, dir);
}

async function measure(
  mode: Mode,
  subject: DurableFloorSubject,
  round: number,
  dir: string,
): Promise<Run> {
  const server = await start(subject, dir);
  try {
    const floor = subject === 'floor' || subject === 'durable floor';
    if (!floor) await fundMixedFlow(server.port);
    const job = (ms: number, seed: number) => loadJob(mode, server, ms, seed, floor);
    if (WARMUP_SECONDS > 0) await runLoadWorker(job(WARMUP_SECONDS * 1000, round + 1000));
    const serverBefore = processCpuSeconds(server.pid) ?? 0;
    const postgresBefore = postgresCpuSeconds();
    const summary = await runLoadWorker(job(SECONDS * 1000, round));
    const serverSeconds = (processCpuSeconds(server.pid) ?? 0) - serverBefore;
    const postgresSeconds = postgresCpuSeconds() - postgresBefore;
    const served = summary.requests + summary.checkRequests;
    const generator = summary.generatorCpu;
    return {
      mode,
      subject,
      round,
      requestsPerSecond: summary.requestsPerSecond,
      serverUs: (serverSeconds * 1e6) / served,
      postgresUs: (postgresSeconds * 1e6) / served,
      generatorUs: (generator.user + generator.system) / served,
    };
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`);
  console.log(
    `${ROUNDS} rounds of ${SECONDS} s per cell, each server warmed up for ${WARMUP_SECONDS} s\n`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'exchange-durable-floor-'));
  const runs: Run[] = [];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const mode of MODES) {
        for (const subject of SUBJECTS) {
          const run = await measure(mode, subject, round, dir);
          runs.push(run);
          console.log(
            `round ${round}, ${mode}, ${subject}: ${Math.round(run.requestsPerSecond)} requests/s`,
          );
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const cells = medians(runs);
  console.log('\nmedians of the rounds:');
  console.log(
    '| load | server | requests/s | ratio to the floor | server CPU µs a request | PostgreSQL µs | generator µs | all µs |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const c of cells) {
    const all = c.serverUs + c.postgresUs + c.generatorUs;
    console.log(
      `| ${c.mode} | ${c.subject} | ${Math.round(c.requestsPerSecond).toLocaleString('en-US')} | ${c.ratio.toFixed(2)}× | ${c.serverUs.toFixed(1)} | ${c.postgresUs.toFixed(1)} | ${c.generatorUs.toFixed(1)} | ${all.toFixed(1)} |`,
    );
  }
  if (opts.json !== undefined) {
    const figures: DurableFloorFigures = {
      date: new Date().toISOString().slice(0, 10),
      rounds: ROUNDS,
      seconds: SECONDS,
      cells,
      runs,
    };
    writeFileSync(opts.json, JSON.stringify(figures, null, 2) + '\n');
  }
}

/** Each cell's medians over the rounds, and the median of its per-round ratios to the floor. */
function medians(runs: readonly Run[]): DurableFloorFigures['cells'] {
  const cells: DurableFloorFigures['cells'][number][] = [];
  for (const mode of MODES) {
    for (const subject of SUBJECTS) {
      const cell = runs.filter((r) => r.mode === mode && r.subject === subject);
      const med = (f: (r: Run) => number): number => median(cell.map(f));
      const floorOf = (round: number): Run =>
        runs.find((f) => f.mode === mode && f.subject === 'floor' && f.round === round)!;
      cells.push({
        mode,
        subject,
        requestsPerSecond: med((r) => r.requestsPerSecond),
        ratio: med((r) => r.requestsPerSecond / floorOf(r.round).requestsPerSecond),
        serverUs: med((r) => r.serverUs),
        postgresUs: med((r) => r.postgresUs),
        generatorUs: med((r) => r.generatorUs),
      });
    }
  }
  return cells;
}

await main();
