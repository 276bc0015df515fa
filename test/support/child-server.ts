// The exchange as a child process, the way it runs in production, for crash tests.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
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
  readonly timeoutMs?: number;
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
    ['--import', 'tsx', 'src/cli/main.ts', ...(options.command ?? SERVE), ...args],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string);
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
      const entry = JSON.parse(line) as ListeningLine;
      if (entry.msg === 'listening' && (options.ready?.(entry) ?? true)) {
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
  };
}
