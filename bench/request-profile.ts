// Where the exchange's main thread spends its time per request: one exchange (--workers 0)
// under the matrix's classic or framed load, profiled with --cpu-prof; prints self time by
// function and time including callees for the functions that take the most.
//   node --import tsx bench/request-profile.ts [classic|framed] [memory|sqlite] [seconds]

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classicRequest } from '../tools/client/classic-client.js';
import { MixedFlow } from '../tools/load/mixed-flow.js';
import { runLoadWorker, spawnExchange } from './processes.js';
import { summarizeProfile, inclusiveProfile, threadProfiles } from './profile.js';

const mode = (process.argv[2] ?? 'classic') as 'classic' | 'framed';
const store = process.argv[3] ?? 'memory';
const seconds = Number(process.argv[4] ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'request-profile-'));
try {
  const spec = store === 'memory' ? 'memory:' : `sqlite:${join(dir, 'p.db')}`;
  const server = await spawnExchange(spec, '0', 0, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
  let served = 0;
  try {
    await classicRequest(server.port, new MixedFlow({ accounts: 200, symbols: 4 }).setupXml());
    const summary = await runLoadWorker({
      mode,
      port: mode === 'classic' ? server.port : server.framedPort,
      connections: mode === 'classic' ? 16 : 4,
      ...(mode === 'classic' ? { scenario: 'swap' as const } : { window: 256, ordersOnly: true }),
      durationMs: seconds * 1000,
      accounts: 200,
      symbols: 4,
      seed: 1,
    });
    served = summary.requests + summary.checkRequests;
    console.log(`${mode} ${store}: ${Math.round(summary.requestsPerSecond)} requests/s`);
  } finally {
    await server.stop();
  }
  const threads = threadProfiles(dir, server.pid);
  const profile = threads.find((t) => t.thread === 0)?.profile;
  if (profile === undefined) throw new Error('no profile written');
  const self = summarizeProfile(profile, 30);
  console.log(`idle ${(self.idle * 100).toFixed(1)}%, gc ${(self.gc * 100).toFixed(1)}% of busy`);
  console.log('\nself time, share of busy:');
  for (const e of self.top) console.log(`  ${(e.share * 100).toFixed(1).padStart(5)}%  ${e.name}`);
  console.log('\nincluding callees, share of busy:');
  for (const e of inclusiveProfile(profile, 40))
    console.log(`  ${(e.share * 100).toFixed(1).padStart(5)}%  ${e.name}`);
  // The store's writer and checkpointer threads: their CPU is on the same two cores.
  for (const { thread, profile: other } of threads) {
    if (thread === 0) continue;
    const summary = summarizeProfile(other, 20);
    console.log(`\nthread ${thread}: idle ${(summary.idle * 100).toFixed(1)}%, self time:`);
    for (const e of summary.top)
      console.log(`  ${(e.share * 100).toFixed(1).padStart(5)}%  ${e.name}`);
  }
  console.log(`\n${served} requests served`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
