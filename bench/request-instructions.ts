// Instructions per request on the classic and framed ports, counted by valgrind's callgrind:
// a figure that does not swing with the machine's load as requests/s do. Each server (the
// bare floor, the exchange on memory and on SQLite, one process) runs under callgrind with
// V8 single-threaded and predictable. A fixed, seeded sequence of requests warms it up first
// (V8 compiles the hot code meanwhile: counted from the start, a few thousand requests cost
// up to twice what they cost warm, and more so for the exchange, which has more code to
// compile than the floor); then the counters are zeroed, the requests to count are sent, and
// the counters are dumped. Counted: every thread of the server's process (the store's writer
// and checkpointer threads too), not the client. Under valgrind the exchange is still
// optimizing code after the warm-up (a server run natively hardly is, after a few seconds:
// --trace-opt shows a few small compilations then), so the compilers' share is given apart.
// Between the warm-up and the count the server collects its heap in full
// (bench/collect-on-signal.mjs), so that every count starts from the same heap.
//   npm run bench:request-instructions -- [--requests N] [--warmup W] [--json FILE]
// Classic: one request per connection, sent one at a time. Framed: one connection, bursts of
// 64 pipelined orders. The mixed flow's orders, queries and cancels (orders only, framed).

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { classicRequest } from '../tools/client/classic-client.js';
import { FramedClient } from '../tools/client/framed-client.js';
import { MixedFlow } from '../tools/load/mixed-flow.js';
import { openedId } from '../tools/load/workload.js';
import {
  callgrindArgs,
  compilerInstructions,
  dumpCounts,
  functionCounts,
  topFunctions,
  zeroCounts,
} from './callgrind.js';
import { ACCOUNTS, SYMBOLS } from './matrix-cells.js';
import { ROOT } from './processes.js';

const { values: opts } = parseArgs({
  options: {
    requests: { type: 'string', default: '4000' },
    warmup: { type: 'string', default: '16000' },
    servers: { type: 'string', default: 'bare,memory,sqlite' },
    modes: { type: 'string', default: 'classic,framed' },
    json: { type: 'string' },
    /** Also print the N functions that took the most of the counted instructions. */
    functions: { type: 'string', default: '0' },
  },
});

const FUNCTIONS = Number(opts.functions);
type Mode = 'classic' | 'framed';
type ServerKind = 'bare' | 'memory' | 'sqlite';
const BURST = 64;

function serverArgs(kind: ServerKind, dir: string): string[] {
  // V8's map of its compiled code, for naming the JIT's addresses in callgrind's profile.
  // (Its log goes to the temporary folder, not one file per isolate in the working one.)
  const perfMap =
    FUNCTIONS > 0
      ? ['--perf-basic-prof', `--logfile=${join(dir, 'v8.log')}`, '--no-logfile-per-isolate']
      : [];
  const collect = ['--expose-gc', '--import', './bench/collect-on-signal.mjs'];
  if (kind === 'bare') {
    return [...perfMap, ...collect, '--import', 'tsx', 'bench/bare-server.ts', '0'];
  }
  const db = kind === 'memory' ? 'memory:' : `sqlite:${join(dir, `i-${Date.now()}.db`)}`;
  return [
    ...perfMap,
    ...collect,
    '--max-semi-space-size=64',
    'bin/exchange',
    'serve',
    ...['--host', '127.0.0.1', '--port', '0', '--framed-port', '0', '--http-port', 'off'],
    ...['--db', db, '--workers', '0'],
  ];
}

/** Instructions a request, and how many of them V8's compilers took. */
interface Counted {
  readonly perRequest: number;
  readonly compilerPerRequest: number;
}

/** Runs one server under callgrind, warms it up, counts `requests`. */
async function perRequest(
  kind: ServerKind,
  mode: Mode,
  warmup: number,
  requests: number,
  dir: string,
): Promise<Counted> {
  const outFile = join(dir, `callgrind-${kind}-${mode}.out`);
  const child = spawn('valgrind', callgrindArgs(serverArgs(kind, dir), outFile), {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = once(child, 'exit');
  const ports = await new Promise<{ port: number; framedPort: number }>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited (${code}):\n${stderr}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; port: number; framedPort: number };
        if (entry.msg === 'listening') resolve(entry);
      } catch {
        // not a log line
      }
    });
  });
  try {
    const flow = new MixedFlow({ accounts: ACCOUNTS, symbols: SYMBOLS, seed: 7 });
    const bare = kind === 'bare';
    if (!bare) await classicRequest(ports.port, flow.setupXml());
    const send = mode === 'classic' ? sendClassic : sendFramed;
    const port = mode === 'classic' ? ports.port : ports.framedPort;
    await send(port, flow, warmup, bare);
    await collectServerHeap(child, () => stderr);
    // A full collection lets V8 drop compiled code whose objects died: compiled again before
    // the count, not in it.
    await send(port, flow, requests, bare);
    await zeroCounts(child.pid!);
    await send(port, flow, requests, bare);
    const counted = (await dumpCounts(child.pid!, outFile, 1)) / requests;
    const perfMap = `/tmp/perf-${child.pid!}.map`;
    const counts = await functionCounts(`${outFile}.1`, FUNCTIONS > 0 ? perfMap : undefined);
    rmSync(perfMap, { force: true });
    const compiler = compilerInstructions(counts) / requests;
    if (FUNCTIONS > 0) {
      console.log(`${mode} ${kind}, instructions per request by function:`);
      for (const f of topFunctions(counts, FUNCTIONS)) {
        const perRequest = Math.round(f.instructions / requests).toLocaleString('en-US');
        console.log(`  ${perRequest.padStart(8)}  ${f.name}`);
      }
    }
    return { perRequest: counted, compilerPerRequest: compiler };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

/** Has the server (bench/collect-on-signal.mjs) collect its heap in full; resolves when done. */
async function collectServerHeap(child: ChildProcess, stderr: () => string): Promise<void> {
  const before = stderr().split('collected\n').length;
  child.kill('SIGUSR2');
  const deadline = Date.now() + 120_000;
  while (stderr().split('collected\n').length === before) {
    if (Date.now() > deadline) throw new Error(`the server did not collect its heap:\n${stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function step(flow: MixedFlow, ordersOnly: boolean): ReturnType<MixedFlow['next']> {
  let next = flow.next();
  while (ordersOnly && next.kind !== 'order') next = flow.next();
  return next;
}

async function sendClassic(port: number, flow: MixedFlow, n: number, bare: boolean): Promise<void> {
  for (let i = 0; i < n; i++) {
    const s = step(flow, false);
    const reply = await classicRequest(port, MixedFlow.xml(s));
    const id = !bare && s.kind === 'order' ? openedId(reply) : null;
    if (id !== null) flow.opened(s.account, id);
  }
}

async function sendFramed(port: number, flow: MixedFlow, n: number, bare: boolean): Promise<void> {
  const client = await FramedClient.connect(port);
  try {
    for (let sent = 0; sent < n;) {
      const burst: Promise<unknown>[] = [];
      for (let i = 0; i < BURST && sent < n; i++, sent++) {
        const s = step(flow, true);
        burst.push(
          client.request(MixedFlow.xml(s)).then((reply) => {
            const id = !bare && s.kind === 'order' ? openedId(reply) : null;
            if (id !== null) flow.opened(s.account, id);
          }),
        );
      }
      await Promise.all(burst);
    }
  } finally {
    client.close();
  }
}

const list = (s: string): string[] => s.split(',').filter((w) => w !== '');
const REQUESTS = Number(opts.requests);
const WARMUP = Number(opts.warmup);
const dir = mkdtempSync(join(tmpdir(), 'request-instructions-'));
const rows: ({ server: ServerKind; mode: Mode } & Counted)[] = [];
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
try {
  for (const mode of list(opts.modes!) as Mode[]) {
    for (const kind of list(opts.servers!) as ServerKind[]) {
      const counted = await perRequest(kind, mode, WARMUP, REQUESTS, dir);
      rows.push({ server: kind, mode, ...counted });
      console.log(
        `${mode} ${kind}: ${fmt(counted.perRequest)} instructions/request, ` +
          `${fmt(counted.compilerPerRequest)} of them V8's compilers'`,
      );
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (opts.json !== undefined) {
  const date = new Date().toISOString().slice(0, 10);
  writeFileSync(
    opts.json,
    JSON.stringify({ date, warmup: WARMUP, requests: REQUESTS, rows }, null, 2) + '\n',
  );
}
