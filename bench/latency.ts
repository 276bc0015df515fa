// `npm run bench:latency`: latency on the classic port at half of its maximum load. Each run
// first finds the maximum (closed loop, 16 clients, swap scenario), then offers half of it
// open loop (sessions started on schedule, answered or not, so queueing shows in the
// latency) to a fresh server. Durable SQLite (synchronous=FULL), one process.
// Options (environment): BENCH_RUNS (default 5), BENCH_SECONDS (default 5).

import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadSummary } from './load-worker.js';
import { runLoadWorker, spawnExchange } from './processes.js';
import { median } from './stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
/** Requests per swap session (a pair of users: 6 + 2). */
const SWAP_REQUESTS = 8;

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (us: number): string => (us / 1000).toFixed(2);

async function measure(db: string, rate?: number): Promise<LoadSummary> {
  const server = await spawnExchange(db, 'off');
  try {
    return await runLoadWorker({
      mode: 'classic',
      scenario: 'swap',
      connections: 16,
      port: server.port,
      durationMs: SECONDS * 1000,
      accounts: 1,
      symbols: 1,
      seed: 1,
      ...(rate === undefined ? {} : { rate }),
    });
  } finally {
    await server.stop();
  }
}

console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`);
console.log(`classic port, swap scenario, SQLite FULL; ${RUNS} runs of ${SECONDS} s each\n`);
const dir = mkdtempSync(join(tmpdir(), 'exchange-latency-'));
const rows: { max: number; half: LoadSummary }[] = [];
try {
  for (let run = 0; run < RUNS; run++) {
    const max = (await measure(`sqlite:${join(dir, `max-${run}.db`)}`)).requestsPerSecond;
    const half = await measure(`sqlite:${join(dir, `half-${run}.db`)}`, max / 2 / SWAP_REQUESTS);
    rows.push({ max, half });
    console.log(
      `run ${run + 1}: maximum ${fmt(max)} requests/s; at half (${fmt(half.requestsPerSecond)}/s offered open loop):` +
        ` p50 ${ms(half.p50Us)} ms, p90 ${ms(half.p90Us)} ms, p99 ${ms(half.p99Us)} ms, max ${ms(half.maxUs)} ms, failed ${half.failed}`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const m = (f: (r: { max: number; half: LoadSummary }) => number): number => median(rows.map(f));
console.log(
  `\nmedians: maximum ${fmt(m((r) => r.max))} requests/s; at half load p50 ${ms(m((r) => r.half.p50Us))} ms,` +
    ` p90 ${ms(m((r) => r.half.p90Us))} ms, p99 ${ms(m((r) => r.half.p99Us))} ms`,
);
