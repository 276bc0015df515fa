// One load run in its own process, so the load generator never shares an event loop with
// the server. Argument: a JSON LoadJob. Prints one JSON LoadSummary line.

import { runClassicLoad, runFramedLoad } from '../src/load/drivers.js';
import { MixedFlow } from '../src/load/mixed-flow.js';
import { percentile } from './stats.js';

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

export interface LoadSummary {
  requestsPerSecond: number;
  ordersPerSecond: number;
  errors: number;
  requests: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  maxUs: number;
}

const job = JSON.parse(process.argv[2]!) as LoadJob;
const flow = new MixedFlow({ accounts: job.accounts, symbols: job.symbols, seed: job.seed });
const options = { ...job, flow };
const result =
  job.mode === 'classic' ? await runClassicLoad(options) : await runFramedLoad(options);
const l = result.latenciesUs;
const summary: LoadSummary = {
  requestsPerSecond: result.requests / result.seconds,
  ordersPerSecond: result.orders / result.seconds,
  errors: result.errors,
  requests: result.requests,
  p50Us: percentile(l, 50),
  p90Us: percentile(l, 90),
  p99Us: percentile(l, 99),
  maxUs: l[l.length - 1] ?? NaN,
};
console.log(JSON.stringify(summary));
