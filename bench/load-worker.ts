// One load run in its own process, so the load generator never shares an event loop with
// the server. Argument: a JSON LoadJob. Prints one JSON LoadSummary line.

import { runLoad } from '../src/load/drivers.js';
import { MixedFlow, mixedWorkload } from '../src/load/mixed-flow.js';
import { summarize } from '../src/load/summary.js';

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
}

export type { LoadSummary } from '../src/load/summary.js';

const job = JSON.parse(process.argv[2]!) as LoadJob;
// The bench has funded the flow's accounts already: no setup here.
const flow = new MixedFlow({ accounts: job.accounts, symbols: job.symbols, seed: job.seed });
const workload = { ...mixedWorkload(flow, { ordersOnly: job.ordersOnly }), setup: () => [] };
const result = await runLoad({ ...job, workload });
console.log(JSON.stringify(summarize(result)));
