// Where memory is allocated, by function: bytes per engine command (the server's engine, the
// mixed flow recorded in advance and applied in batches as the sequencer applies it, so that
// only the engine's allocations are counted) and bytes per request on the server (in this
// process, its load from a load-worker process, as in the matrix), sampled by V8's heap
// profiler with the objects the collectors have already freed counted too, so short-lived
// garbage shows. How fast a program allocates sets how often its young generation is
// scavenged, and a scavenge is a pause; unlike a time, a figure per command hardly moves with
// the machine's load.
// The main thread only: the SQLite writer's thread has a heap of its own.
//   npm run bench:allocation -- [--subjects engine,classic,framed] [--store memory|sqlite]
//     [--commands N] [--warmup S] [--seconds S] [--top N] [--json FILE]

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { silentLogger } from '../src/app/log.js';
import { startExchangeServer } from '../src/app/exchange-server.js';
import type { MatchingEngine } from '../src/engine/adaptive-exchange.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { openStore } from '../src/store/open-store.js';
import { applyFlow, recordMixedFlow, serverEngine } from './engine.js';
import { fundMixedFlow, loadJob, type Mode } from './matrix-cells.js';
import { ROOT, runLoadWorker } from './processes.js';

const { values: opts } = parseArgs({
  options: {
    subjects: { type: 'string', default: 'engine,classic,framed' },
    store: { type: 'string', default: 'sqlite' },
    commands: { type: 'string', default: '200000' },
    warmup: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '6' },
    top: { type: 'string', default: '25' },
    json: { type: 'string' },
  },
});
const TOP = Number(opts.top);
const SUBJECTS = ['engine', 'classic', 'framed'];
const subjects = opts.subjects!.split(',');
for (const subject of subjects) {
  if (!SUBJECTS.includes(subject)) {
    throw new Error(`--subjects: ${subject} is not one of ${SUBJECTS.join(', ')}`);
  }
}
if (opts.store !== 'memory' && opts.store !== 'sqlite') {
  throw new Error(`--store: ${opts.store} is neither memory nor sqlite`);
}
/** Bytes between samples on average: fine enough that the small sites show. */
const SAMPLING_INTERVAL = 256;

interface ProfileNode {
  readonly callFrame: { readonly functionName: string; readonly url: string };
  readonly selfSize: number;
  readonly children: readonly ProfileNode[];
}

export interface Site {
  /** The function that allocated, and the file it is in (repository-relative or node:). */
  readonly fn: string;
  readonly file: string;
  readonly bytes: number;
}

export interface AllocationFigures {
  readonly subject: string;
  readonly unit: 'command' | 'request';
  readonly units: number;
  readonly bytesPerUnit: number;
  /** Bytes per unit by where the allocating code lives (src/<folder>, node, V8). */
  readonly byArea: Record<string, number>;
  readonly top: readonly Site[];
}

function fileOf(url: string): string {
  if (url === '') return '';
  if (url.startsWith('file://')) return relative(ROOT, new URL(url).pathname);
  return url.startsWith('node:') ? url : `node:${url}`;
}

/** The area a file belongs to: src/<folder>, another folder of ours, Node's own, or V8's. */
function areaOf(file: string): string {
  if (file === '') return 'V8 (builtins, the runtime)';
  if (file.startsWith('node:')) return "Node's own JavaScript";
  const parts = file.split('/');
  return parts[0] === 'src' ? `src/${parts[1]}` : parts[0]!;
}

/** Runs `work` under the sampling heap profiler; returns bytes by function and file. */
async function sampled(work: () => Promise<void> | void): Promise<Map<string, Site>> {
  const session = new Session();
  session.connect();
  try {
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.collectGarbage');
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: SAMPLING_INTERVAL,
      includeObjectsCollectedByMinorGC: true,
      includeObjectsCollectedByMajorGC: true,
    });
    await work();
    const { profile } = await session.post('HeapProfiler.stopSampling');
    const sites = new Map<string, Site>();
    const walk = (node: ProfileNode): void => {
      if (node.selfSize > 0) {
        const fn = node.callFrame.functionName || '(anonymous)';
        const file = fileOf(node.callFrame.url);
        const key = `${fn}\0${file}`;
        const bytes = (sites.get(key)?.bytes ?? 0) + node.selfSize;
        sites.set(key, { fn, file, bytes });
      }
      for (const child of node.children) walk(child);
    };
    walk(profile.head as ProfileNode);
    return sites;
  } finally {
    session.disconnect();
  }
}

function figures(
  subject: string,
  unit: AllocationFigures['unit'],
  units: number,
  sites: Map<string, Site>,
): AllocationFigures {
  const perUnit = [...sites.values()]
    .map((s) => ({ ...s, bytes: s.bytes / units }))
    .sort((a, b) => b.bytes - a.bytes);
  const byArea: Record<string, number> = {};
  for (const s of perUnit) byArea[areaOf(s.file)] = (byArea[areaOf(s.file)] ?? 0) + s.bytes;
  return {
    subject,
    unit,
    units,
    bytesPerUnit: perUnit.reduce((sum, s) => sum + s.bytes, 0),
    byArea,
    top: perUnit.slice(0, TOP),
  };
}

async function engineFigures(): Promise<AllocationFigures> {
  const { setup, requests } = recordMixedFlow(Number(opts.commands));
  const fresh = (): MatchingEngine => {
    const engine = serverEngine();
    engine.apply(setup, 0);
    engine.takeChanges();
    return engine;
  };
  // Two runs first, so that what is counted is the optimized code's allocation.
  for (let i = 0; i < 2; i++) applyFlow(fresh(), requests);
  const engine = fresh();
  const sites = await sampled(() => applyFlow(engine, requests));
  return figures('engine, mixed flow', 'command', requests.length, sites);
}

async function serverFigures(mode: Mode): Promise<AllocationFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'exchange-allocation-'));
  try {
    const store =
      opts.store === 'memory' ? new MemoryStore() : openStore(`sqlite:${join(dir, 'bench.db')}`);
    const server = await startExchangeServer({
      store,
      log: silentLogger,
      host: '127.0.0.1',
      port: 0,
      framedPort: 0,
    }).catch(async (error: unknown) => {
      await store.close();
      throw error;
    });
    try {
      await fundMixedFlow(server.port!);
      const ports = { port: server.port!, framedPort: server.framedPort! };
      const job = (seconds: number, seed: number) =>
        runLoadWorker(loadJob(mode, ports, seconds * 1000, seed));
      await job(Number(opts.warmup), 1);
      let requests = 0;
      const sites = await sampled(async () => {
        const summary = await job(Number(opts.seconds), 2);
        requests = summary.requests + summary.checkRequests;
      });
      return figures(`server, ${mode}, ${opts.store}`, 'request', requests, sites);
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const round = (n: number): number => Math.round(n * 10) / 10;

function print(f: AllocationFigures): void {
  console.log(
    `\n${f.subject}: ${Math.round(f.bytesPerUnit)} bytes a ${f.unit} (${f.units} ${f.unit}s)`,
  );
  for (const [area, bytes] of Object.entries(f.byArea).sort((a, b) => b[1] - a[1])) {
    console.log(`  ${String(Math.round(bytes)).padStart(7)}  ${area}`);
  }
  console.log(`  functions:`);
  for (const s of f.top) {
    console.log(`  ${String(round(s.bytes)).padStart(7)}  ${s.fn}  ${s.file}`);
  }
}

/** What allocation.json holds. */
export interface AllocationResults {
  readonly date: string;
  readonly results: readonly AllocationFigures[];
}

const results: AllocationFigures[] = [];
for (const subject of subjects) {
  const f = subject === 'engine' ? await engineFigures() : await serverFigures(subject as Mode);
  print(f);
  results.push(f);
}
if (opts.json !== undefined) {
  const file: AllocationResults = { date: new Date().toISOString().slice(0, 10), results };
  writeFileSync(opts.json, `${JSON.stringify(file, null, 1)}\n`);
}
