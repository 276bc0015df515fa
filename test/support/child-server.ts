// The exchange as a child process, the way it runs in production, for crash tests.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface ListeningLine {
  msg?: string;
  port?: number | null;
  framedPort?: number | null;
  linkPort?: number;
  httpPort?: number;
  workers?: number;
}

export interface ChildOptions {
  /** The subcommand: `serve` (default) with free ports on loopback, or as given. */
  readonly command?: string[];
  /** Which "listening" line means ready (default: the first). */
  readonly ready?: (line: ListeningLine) => boolean;
  /** The log message that means ready (default "listening"; a standby says it waits). */
  readonly readyMessage?: string;
  readonly timeoutMs?: number;
  /**
   * The test whose end stops this process, pass, fail or timeout. Registered before the
   * server is ready, so that even a start the test gave up waiting for is cleaned up.
   */
  readonly owner?: Pick<TestContext, 'after'>;
}

export interface ChildServer {
  readonly process: ChildProcess;
  readonly port: number;
  readonly framedPort: number;
  /** The engine's link port, when it has one. */
  readonly linkPort: number | undefined;
  /** The HTTP port (JSON API, feed, metrics, dashboard), when it is on. */
  readonly httpPort: number | undefined;
  /** Resolves with the exit code (or signal name) once the process is gone. */
  readonly exited: Promise<number | string>;
  /** stopChild on this process; resolves like `exited`. */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

/** Children still running: SIGKILLed if this process exits anyway (an uncaught error, say). */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** How long a stop waits for a clean exit before SIGKILL. */
const STOP_GRACE_MS = 10_000;

/**
 * Sends `signal` unless the child is already gone, and SIGKILL if it is still there after
 * STOP_GRACE_MS: a server stuck in its own shutdown must not keep the test file from ending.
 * Safe to call again once the child is gone.
 */
export async function stopChild(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

/**
 * Stops `child` when test `t` ends. An assertion that throws skips the rest of the test, and a
 * test that times out never reaches its `finally`: a child left running keeps its pipes open
 * and the test file's process with them, so the run never ends.
 */
export function stopWhenDone(t: Pick<TestContext, 'after'>, child: ChildProcess): void {
  track(child);
  t.after(() => stopChild(child));
}

function track(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  running.add(child);
  child.once('exit', () => running.delete(child));
}

const SERVE = [
  'serve',
  '--host',
  '127.0.0.1',
  '--port',
  '0',
  '--framed-port',
  '0',
  '--http-port',
  '0',
];

export async function startChildServer(
  args: string[],
  options: ChildOptions = {},
): Promise<ChildServer> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'cli/main.ts', ...(options.command ?? SERVE), ...args],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  track(child);
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string);
  if (options.owner !== undefined) stopWhenDone(options.owner, child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: child.stdout! });
  const listening = new Promise<ListeningLine>((resolve, reject) => {
    const timer = setTimeout(() => {
      // A server that never says it listens must not outlive the test that started it.
      child.kill('SIGKILL');
      reject(new Error(`server did not start within ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    lines.on('line', (line) => {
      let entry: ListeningLine;
      try {
        entry = JSON.parse(line) as ListeningLine;
      } catch {
        // Not a log line (a warning from Node, say): throwing here would end this process
        // and leave the child running.
        return;
      }
      if (entry.msg === (options.readyMessage ?? 'listening') && (options.ready?.(entry) ?? true)) {
        clearTimeout(timer);
        resolve(entry);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening: ${stderr}`));
    });
  });
  const entry = await listening;
  return {
    process: child,
    // A listener turned off reports null, passed on as it is.
    port: entry.port!,
    framedPort: entry.framedPort!,
    linkPort: entry.linkPort,
    httpPort: entry.httpPort,
    exited,
    stop: async (signal) => {
      await stopChild(child, signal);
      return exited;
    },
  };
}
