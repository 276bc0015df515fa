// What the Docker test needs from the machine (docker, compose, an engine) and a bounded way to
// run their commands: every command has a deadline, its output goes to a log file under
// test-output/docker/, and a failure names the command and shows the end of its output.

import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, createWriteStream, mkdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const OUT = join(ROOT, 'test-output', 'docker');

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first of these names found on PATH (or an absolute path that exists), else null. */
export function which(...names: string[]): string | null {
  for (const name of names) {
    if (name.startsWith('/')) {
      if (executable(name)) return name;
      continue;
    }
    for (const dir of (process.env.PATH ?? '').split(delimiter)) {
      if (dir !== '' && executable(join(dir, name))) return join(dir, name);
    }
  }
  return null;
}

export interface Tools {
  /** The docker client: $DOCKER, else Debian's /usr/bin/docker (it matches Debian's engine), else PATH's. */
  readonly docker: string;
  /** How to run compose: docker-compose (Debian's 1.29), else `docker compose` (the v2 plugin). */
  readonly compose: readonly string[];
  /** Whether an engine answers already. */
  readonly engineRunning: boolean;
}

/** The tools, or why the test cannot run here. */
export function findTools(): Tools | string {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    return `the local base image is made for linux x64 (this is ${process.platform} ${process.arch})`;
  }
  const docker = which(process.env.DOCKER ?? '/usr/bin/docker', 'docker');
  if (docker === null) return 'no docker client (apt-get install -y docker.io)';
  let compose: string[] | null = null;
  const dockerCompose = which('docker-compose');
  if (dockerCompose !== null) compose = [dockerCompose];
  else if (spawnSync(docker, ['compose', 'version'], { stdio: 'ignore' }).status === 0) {
    compose = [docker, 'compose'];
  }
  if (compose === null) return 'no docker-compose (apt-get install -y docker-compose)';
  const engineRunning =
    spawnSync(docker, ['info'], { stdio: 'ignore', timeout: 20_000 }).status === 0;
  if (!engineRunning) {
    if (which('dockerd') === null) return 'no Docker engine runs and dockerd is not installed';
    if (process.getuid?.() !== 0) return 'no Docker engine runs, and starting one needs root';
  }
  if (which('debootstrap') === null) return 'no debootstrap (apt-get install -y debootstrap)';
  return { docker, compose, engineRunning };
}

export interface RunOptions {
  /** Kill the command (SIGTERM, SIGKILL 5 s later) when it has not ended by then. */
  readonly timeoutMs: number;
  readonly env?: NodeJS.ProcessEnv;
  /** Its whole output is written to test-output/docker/NAME.log (appended). */
  readonly log?: string;
}

export interface RunResult {
  readonly code: number | null;
  /** stdout alone (what the commands print as their answer). */
  readonly stdout: string;
  /** stdout and stderr as they came, the last 64 KiB. */
  readonly output: string;
  readonly timedOut: boolean;
}

const KEEP = 64 * 1024;

export function run(
  command: string,
  args: readonly string[],
  options: RunOptions,
): Promise<RunResult> {
  mkdirSync(OUT, { recursive: true });
  const log =
    options.log === undefined
      ? null
      : createWriteStream(join(OUT, `${options.log}.log`), { flags: 'a' });
  log?.write(`\n$ ${[command, ...args].join(' ')}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let output = '';
    const take = (chunk: Buffer, isStdout: boolean) => {
      const text = chunk.toString('utf8');
      if (isStdout) stdout += text;
      output = (output + text).slice(-KEEP);
      log?.write(chunk);
    };
    child.stdout.on('data', (chunk: Buffer) => take(chunk, true));
    child.stderr.on('data', (chunk: Buffer) => take(chunk, false));
    let timedOut = false;
    let kill: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    }, options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      clearTimeout(kill);
      log?.end();
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      clearTimeout(kill);
      log?.end(`[exit ${code}${timedOut ? `, killed after ${options.timeoutMs} ms` : ''}]\n`);
      resolve({ code, stdout, output, timedOut });
    });
  });
}

/** run(), failing unless the command exits 0. */
export async function must(
  command: string,
  args: readonly string[],
  options: RunOptions,
): Promise<RunResult> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    const why = result.timedOut
      ? `did not end within ${options.timeoutMs / 1000} s`
      : `exited ${result.code}`;
    const where =
      options.log === undefined ? '' : ` (whole output: test-output/docker/${options.log}.log)`;
    throw new Error(
      `${[command, ...args].join(' ')} ${why}${where}; its output ends:\n${result.output.slice(-4000)}`,
    );
  }
  return result;
}

/** Polls until `ready` resolves true; throws with `describe()`'s text when `ms` have passed. */
export async function waitFor(
  what: string,
  ms: number,
  ready: () => Promise<boolean>,
  describe: () => Promise<string> = async () => '',
): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await ready().catch(() => false)) return;
    if (Date.now() > deadline) {
      throw new Error(`${what}: not within ${ms / 1000} s\n${await describe().catch(String)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** An HTTP GET with a deadline: status and body. */
export async function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: await response.text() };
}
