// One load run in its own process, so the load generator never shares an event loop with
// the server. Argument: a JSON LoadJob. Prints one JSON line: the LoadSummary, and the CPU
// time the generator itself used during the run.

import { runLoad } from '../tools/load/drivers.js';
import { MixedFlow, mixedWorkload } from '../tools/load/mixed-flow.js';
import { summarize } from '../tools/load/summary.js';
import { SwapWorkload } from '../tools/load/swap.js';

export interface LoadJob {
  mode: 'classic' | 'framed';
  port: number;
  connections: number;
  window?: number;
  durationMs: number;
  ordersOnly?: boolean;
  accounts: number;
  symbols: number;
  seed: number;
  /** mixed (default; its accounts funded beforehand) or swap (creates its own users). */
  scenario?: 'mixed' | 'swap';
  /** Open loop: sessions started per second (see LoadOptions.rate). */
  rate?: number;
}

export type { LoadSummary } from '../tools/load/summary.js';

/** CPU time the load generator used during its run, user and system (µs), and the run's length. */
export interface GeneratorCpu {
  readonly generatorCpu: NodeJS.CpuUsage;
  /** The run's wall-clock time, its check included (ms). */
  readonly generatorMs: number;
}

const job = JSON.parse(process.argv[2]!) as LoadJob;
// The bench has funded the mixed flow's accounts already: no setup here. Swap users are new
// each run (ids from the clock), and the run ends with swap's check.
const flow = new MixedFlow({ accounts: job.accounts, symbols: job.symbols, seed: job.seed });
const workload =
  job.scenario === 'swap'
    ? new SwapWorkload({ firstAccount: Date.now() * 1000 })
    : { ...mixedWorkload(flow, { ordersOnly: job.ordersOnly }), setup: () => [] };
const cpuBefore = process.cpuUsage();
const started = performance.now();
const result = await runLoad({ ...job, workload });
const generatorCpu = process.cpuUsage(cpuBefore);
const generatorMs = performance.now() - started;
console.log(JSON.stringify({ ...summarize(result), generatorCpu, generatorMs }));
