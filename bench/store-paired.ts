// Two builds of the exchange side by side on the durable stores: the same cells (store ×
// port) run for each build in turn, the builds' order alternating from run to run, so the
// machine's drifts hit both alike. Prints medians and the new/old ratio per cell.
//   node --import tsx bench/store-paired.ts --base /tmp/old-tree [--runs 5] [--seconds 3] [--warmup 2]
//     [--stores memory,sqlite,postgres] [--modes classic,framed]
// A tree is a directory holding bin/exchange and its dist/ (this worktree after `npm run
// build`, or a copy of an earlier build with node_modules beside it).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createTestDatabase, pgBaseUrl } from '../harness/postgres.js';
import type { LoadJob, LoadSummary } from './load-worker.js';
import { processCpuSeconds, ROOT, runLoadWorker, spawnServer } from './processes.js';
import { median } from './stats.js';
import { ACCOUNTS, SYMBOLS, fundMixedFlow } from './matrix-cells.js';

const { values: opts } = parseArgs({
  options: {
    base: { type: 'string' },
    new: { type: 'string', default: ROOT },
    runs: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '3' },
    /** Seconds of the same load, unmeasured, before each measured run (V8 compiles meanwhile). */
    warmup: { type: 'string', default: '2' },
    stores: { type: 'string', default: pgBaseUrl() !== null ? 'sqlite,postgres' : 'sqlite' },
    modes: { type: 'string', default: 'classic,framed' },
  },
});
if (opts.base === undefined) throw new Error('--base <tree> is required');
const TREES = { old: opts.base, new: opts.new! };
const STORES = opts.stores!.split(',');
const MODES = opts.modes!.split(',') as ('classic' | 'framed')[];
const JOBS = {
  classic: { mode: 'classic', connections: 16, scenario: 'swap' },
  framed: { mode: 'framed', connections: 4, window: 256, ordersOnly: true },
} as const;

const dir = mkdtempSync(join(tmpdir(), 'exchange-paired-'));
let counter = 0;

async function run(tree: string, store: string, mode: 'classic' | 'framed', seed: number) {
  let drop = async (): Promise<void> => {};
  let spec: string;
  if (store === 'postgres') {
    const db = await createTestDatabase();
    spec = db.url;
    drop = db.drop;
  } else spec = store === 'memory' ? 'memory:' : `sqlite:${join(dir, `p-${counter++}.db`)}`;
  const args = ['serve', '--host', '127.0.0.1', '--port', '0', '--framed-port', '0'];
  const server = await spawnServer(
    [...args, '--http-port', 'off', '--db', spec, '--workers', '0'],
    join(tree, 'bin/exchange'),
  );
  try {
    await fundMixedFlow(server.port);
    const job: LoadJob = {
      ...JOBS[mode],
      port: mode === 'classic' ? server.port : server.framedPort,
      durationMs: Number(opts.seconds) * 1000,
      accounts: ACCOUNTS,
      symbols: SYMBOLS,
      seed,
    };
    if (Number(opts.warmup) > 0) {
      await runLoadWorker({ ...job, durationMs: Number(opts.warmup) * 1000, seed: seed + 1000 });
    }
    const cpu0 = processCpuSeconds(server.pid) ?? 0;
    const summary: LoadSummary = await runLoadWorker(job);
    const cpu = (processCpuSeconds(server.pid) ?? 0) - cpu0;
    const served = summary.requests + summary.checkRequests;
    return { summary, cpuUsPerRequest: (cpu * 1e6) / served };
  } finally {
    await server.stop();
    await drop();
  }
}

type Figures = { rate: number[]; p99: number[]; cpu: number[] };
const results = new Map<string, Figures>();
const at = (key: string): Figures => {
  if (!results.has(key)) results.set(key, { rate: [], p99: [], cpu: [] });
  return results.get(key)!;
};

try {
  for (let r = 0; r < Number(opts.runs); r++) {
    const order = r % 2 === 0 ? (['old', 'new'] as const) : (['new', 'old'] as const);
    for (const mode of MODES) {
      for (const store of STORES) {
        for (const which of order) {
          const { summary, cpuUsPerRequest } = await run(TREES[which], store, mode, r + 1);
          const f = at(`${mode} ${store} ${which}`);
          const rate = mode === 'framed' ? summary.ordersPerSecond : summary.requestsPerSecond;
          f.rate.push(rate);
          f.p99.push(summary.p99Us / 1000);
          f.cpu.push(cpuUsPerRequest);
          console.log(
            `  run ${r + 1} ${mode} ${store} ${which}: ${Math.round(rate)}/s, p99 ${(summary.p99Us / 1000).toFixed(2)} ms, ${cpuUsPerRequest.toFixed(0)} µs CPU/request${summary.failed + summary.rejected > 0 ? `, ${summary.failed} failed, ${summary.rejected} rejected` : ''}`,
          );
        }
      }
    }
  }
  console.log('\nmedians (framed: orders/s; classic: requests/s)');
  for (const mode of MODES) {
    for (const store of STORES) {
      const o = at(`${mode} ${store} old`);
      const n = at(`${mode} ${store} new`);
      const ratios = o.rate.map((v, i) => n.rate[i]! / v);
      console.log(
        `  ${mode.padEnd(7)} ${store.padEnd(8)} old ${Math.round(median(o.rate))}/s p99 ${median(o.p99).toFixed(2)} ms ${median(o.cpu).toFixed(0)} µs CPU` +
          ` | new ${Math.round(median(n.rate))}/s p99 ${median(n.p99).toFixed(2)} ms ${median(n.cpu).toFixed(0)} µs CPU` +
          ` | paired ratio ${median(ratios).toFixed(2)}`,
      );
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
