// Starting servers and load workers as child processes for benchmarks.

import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createTestDatabase } from '../harness/postgres.js';
import type { GeneratorCpu, LoadJob, LoadSummary } from './load-worker.js';
import type { StoreKind } from './matrix-cells.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface BenchServer {
  readonly port: number;
  readonly framedPort: number;
  /** The HTTP side's port, when it is on. */
  readonly httpPort?: number;
  /** The server's (with gateways: the engine's) process id. */
  readonly pid: number;
  stop(): Promise<void>;
}

/**
 * CPU seconds (user + system) used so far by a process's main thread, from /proc; null where
 * there is no /proc. The engine's main thread is the single writer: its CPU per request is
 * what bounds throughput once everything else has cores of its own.
 */
export function mainThreadCpuSeconds(pid: number): number | null {
  return cpuSecondsFrom(`/proc/${pid}/task/${pid}/stat`);
}

/** CPU seconds (user + system) used so far by a whole process, every thread; null without /proc. */
export function processCpuSeconds(pid: number): number | null {
  return cpuSecondsFrom(`/proc/${pid}/stat`);
}

/** CPU seconds a whole process used so far, every thread, in user and system mode. */
export function processCpuSplit(pid: number): { user: number; system: number } | null {
  return cpuSplitFrom(`/proc/${pid}/stat`);
}

/**
 * CPU seconds used so far by every process named postgres (a store's backends among them,
 * and the cluster's own), in user and system mode; zero without /proc.
 */
export function postgresCpuSplit(): { user: number; system: number } {
  const total = { user: 0, system: 0 };
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return total;
  }
  for (const pid of pids) {
    let command: string;
    try {
      command = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      continue; // ended in between
    }
    if (command !== 'postgres') continue;
    const split = cpuSplitFrom(`/proc/${pid}/stat`);
    if (split === null) continue;
    total.user += split.user;
    total.system += split.system;
  }
  return total;
}

/** utime + stime of a /proc stat file, in seconds; null when it cannot be read. */
function cpuSecondsFrom(statFile: string): number | null {
  const split = cpuSplitFrom(statFile);
  return split === null ? null : split.user + split.system;
}

function cpuSplitFrom(statFile: string): { user: number; system: number } | null {
  try {
    const stat = readFileSync(statFile, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
  } catch {
    return null;
  }
}

/**
 * The transport floor (`bench/bare-server.ts`): one process, or `processes` cluster workers;
 * with `durableFile`, the durable floor, whose replies wait for a flush into that file.
 */
export function spawnFloor(
  options: { readonly processes?: number; readonly durableFile?: string } = {},
): Promise<BenchServer> {
  const processes = options.processes ?? 0;
  const durable = options.durableFile === undefined ? [] : ['--durable', options.durableFile];
  return spawnServer(
    ['--import', 'tsx', 'bench/bare-server.ts', String(processes), ...durable],
    process.execPath,
    processes,
  );
}

/**
 * Spawns a server that prints a JSON line with msg "listening", port and framedPort: a
 * script run by this Node, or an executable when `command` is given.
 */
export async function spawnServer(
  args: string[],
  command = process.execPath,
  workers = 0,
): Promise<BenchServer> {
  const child: ChildProcess = spawn(command, args, {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const ports = await new Promise<{ port: number; framedPort: number; httpPort?: number }>(
    (resolve, reject) => {
      child.once('exit', (code) =>
        reject(new Error(`server exited with ${code} before listening`)),
      );
      lines.on('line', (line) => {
        try {
          const entry = JSON.parse(line) as {
            msg?: string;
            port: number;
            framedPort: number;
            httpPort?: number;
            linkPort?: number;
            workers?: number;
          };
          // With gateways, ready means the line that counts them all, not the engine's.
          if (entry.msg !== 'listening' || entry.linkPort !== undefined) return;
          if (workers > 0 && entry.workers !== workers) return;
          resolve(entry);
        } catch {
          // not a log line
        }
      });
    },
  );
  return {
    ...ports,
    pid: child.pid!,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * The built exchange on loopback, ports picked by the system, storing in `db`. Run as the
 * executable it is, so that the Node flags of its first line apply.
 */
export function spawnExchange(
  db: string,
  framedPort: '0' | 'off' = '0',
  workers = 0,
  /** Extra Node flags (such as --cpu-prof, which NODE_OPTIONS refuses), before the script. */
  nodeFlags: readonly string[] = [],
  /** The HTTP side (API, feed, dashboard): off unless a benchmark measures it. */
  httpPort: '0' | 'off' = 'off',
): Promise<BenchServer> {
  const args = ['serve', '--host', '127.0.0.1', '--port', '0', '--framed-port', framedPort];
  args.push('--http-port', httpPort);
  const all = [...args, '--db', db, '--workers', String(workers)];
  const bin = join(ROOT, 'bin/exchange');
  return nodeFlags.length === 0
    ? spawnServer(all, bin, workers)
    : // The flags of the executable's first line, given by hand.
      spawnServer(
        ['--max-semi-space-size=64', ...nodeFlags, bin, ...all],
        process.execPath,
        workers,
      );
}

let sqliteFiles = 0;

/**
 * The built exchange on a fresh store of `store`'s kind: memory, a new SQLite file in `dir`,
 * or a new PostgreSQL database (DATABASE_URL), dropped when the server is stopped.
 */
export async function spawnExchangeOnStore(
  store: StoreKind,
  dir: string,
  workers = 0,
  nodeFlags: readonly string[] = [],
): Promise<BenchServer> {
  if (store === 'postgres') {
    const db = await createTestDatabase();
    const server = await spawnExchange(db.url, '0', workers, nodeFlags);
    return { ...server, stop: () => server.stop().then(() => db.drop()) };
  }
  const spec = store === 'memory' ? 'memory:' : `sqlite:${join(dir, `s-${sqliteFiles++}.db`)}`;
  return spawnExchange(spec, '0', workers, nodeFlags);
}

/**
 * Runs a Node script to its end and resolves with its stdout; pinned to `cpuList` (taskset
 * -c syntax) when given. A non-zero exit is an error.
 */
export async function runNode(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cpuList?: string } = {},
): Promise<string> {
  const node = [process.execPath, ...args];
  const argv = options.cpuList === undefined ? node : ['taskset', '-c', options.cpuList, ...node];
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: ROOT,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`node ${args.join(' ')} failed (${code})`);
  return out;
}

/**
 * The framed orders-only load the fence and dashboard benchmarks put on a server: 4
 * connections with 256 orders in flight each, over the mixed flow's funded accounts.
 */
export function framedOrdersJob(
  port: number,
  seconds: number,
  flow: { accounts: number; symbols: number; seed: number },
): LoadJob {
  return {
    mode: 'framed',
    connections: 4,
    window: 256,
    ordersOnly: true,
    port,
    durationMs: seconds * 1000,
    ...flow,
  };
}

/** One load run in its own process; pinned to `cpuList` (taskset -c syntax) when given. */
export async function runLoadWorker(
  job: LoadJob,
  cpuList?: string,
): Promise<LoadSummary & GeneratorCpu> {
  const out = await runNode(['--import', 'tsx', 'bench/load-worker.ts', JSON.stringify(job)], {
    cpuList,
  });
  return JSON.parse(out.trim().split('\n').pop()!) as LoadSummary & GeneratorCpu;
}
