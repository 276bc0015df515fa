// Counting instructions with valgrind's callgrind: a figure that does not swing with the
// machine's load as times do. A bench counts a piece of work at two sizes and divides the
// difference by what it adds, so that start-up cancels out; or zeroes the counters after a
// warm-up and dumps them after the work to count (a server; a program that marks its window,
// countWindow).

import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * valgrind's arguments to run this Node with `nodeArgs` under callgrind; its profile goes to
 * `outFile` (and a dump asked for while it runs to `outFile`.1, .2, ...).
 */
export function callgrindArgs(nodeArgs: readonly string[], outFile = '/dev/null'): string[] {
  return [
    '--tool=callgrind',
    `--callgrind-out-file=${outFile}`,
    process.execPath,
    // No compiler or collector threads racing the main one: the same count run after run.
    '--single-threaded',
    '--predictable',
    ...nodeArgs,
  ];
}

/** The instruction count valgrind printed when the program ended. */
export function collectedInstructions(stderr: string): number {
  const m = /Collected : (\d+)/.exec(stderr);
  if (m === null) throw new Error(`no instruction count from valgrind:\n${stderr}`);
  return Number(m[1]);
}

/** Runs Node with `nodeArgs` in `cwd` under callgrind, to its end; the instructions it took. */
export async function countInstructions(nodeArgs: readonly string[], cwd: string): Promise<number> {
  const { stderr } = await run('valgrind', callgrindArgs(nodeArgs), {
    cwd,
    maxBuffer: 1 << 24,
  });
  return collectedInstructions(stderr);
}

/**
 * The instructions of one window of a program run under callgrind: the program (see
 * window.ts) prints `ready` when its set-up and warm-up are done, the counters are zeroed, it
 * does the work to count and prints `done`, and the counters are read. Start-up, building the
 * input and warming up are left out, and so is their run-to-run spread (module loading
 * through tsx's thread alone moves a whole run's count by about 2%). With it, the part V8's
 * compilers took and the window's self instructions by function; with `byFunction`, V8's
 * compiled code named in them from its perf map (which adds work of its own to the count).
 */
export async function countWindow(
  nodeArgs: readonly string[],
  cwd: string,
  byFunction = false,
): Promise<{ instructions: number; compilers: number; counts: Map<string, number> }> {
  const dir = mkdtempSync(join(tmpdir(), 'callgrind-'));
  const profile = join(dir, 'callgrind.out');
  // (V8's log, if any, goes to the temporary folder, not one file per isolate in `cwd`.)
  const v8Flags = byFunction
    ? ['--perf-basic-prof', `--logfile=${join(dir, 'v8.log')}`, '--no-logfile-per-isolate']
    : [];
  const child = spawn('valgrind', callgrindArgs([...v8Flags, ...nodeArgs], profile), {
    cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  // A child that is gone before it reads its lines (or never started) fails the count below,
  // on the lines it never printed.
  child.stdin.on('error', () => {});
  child.on('error', () => {});
  const exited = once(child, 'exit');
  exited.catch(() => {});
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const expect = async (line: string): Promise<void> => {
    for (;;) {
      const next = await lines.next();
      if (next.done === true) throw new Error(`exited before "${line}":\n${stderr}`);
      if (next.value === line) return;
    }
  };
  // valgrind runs some 50 times slower, but no count here takes half an hour: a child that
  // does is ended, and the count fails on the lines it never printed.
  const deadline = setTimeout(() => child.kill('SIGKILL'), 30 * 60_000);
  const perfMap = `/tmp/perf-${child.pid!}.map`;
  try {
    await expect('ready');
    await zeroCounts(child.pid!);
    child.stdin.write('go\n');
    await expect('done');
    const instructions = await dumpCounts(child.pid!, profile, 1);
    const counts = await functionCounts(`${profile}.1`, byFunction ? perfMap : undefined);
    child.stdin.end('exit\n');
    await exited;
    return { instructions, compilers: compilerInstructions(counts), counts };
  } finally {
    clearTimeout(deadline);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill();
      await exited.catch(() => {});
    }
    rmSync(perfMap, { force: true });
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Sets the counters of the callgrind run with this pid to zero. */
export async function zeroCounts(pid: number): Promise<void> {
  await run('callgrind_control', ['--zero', String(pid)]);
}

/**
 * Asks the callgrind run with this pid, writing to `outFile`, for its `n`th dump (1, 2, ...);
 * the instructions counted since the counters were last zeroed.
 */
export async function dumpCounts(pid: number, outFile: string, n: number): Promise<number> {
  await run('callgrind_control', [`--dump=window-${n}`, String(pid)]);
  const m = /^summary: (\d+)$/m.exec(readFileSync(`${outFile}.${n}`, 'utf8'));
  if (m === null) throw new Error(`no summary in callgrind's dump ${outFile}.${n}`);
  return Number(m[1]);
}

/** Instructions by function, self only, in a callgrind profile. */
export interface FunctionCount {
  readonly name: string;
  readonly instructions: number;
}

/**
 * Self instructions by function in a callgrind profile. Code V8 compiled has no symbols for
 * valgrind: those addresses are named from the process's perf map (`node --perf-basic-prof`
 * writes /tmp/perf-<pid>.map), when there is one.
 */
export async function functionCounts(
  profile: string,
  perfMap?: string,
): Promise<Map<string, number>> {
  const { stdout } = await run(
    'callgrind_annotate',
    ['--inclusive=no', '--auto=no', '--threshold=100', '--show-percs=no', profile],
    { maxBuffer: 1 << 28 },
  );
  const jit = perfMap === undefined ? () => undefined : readPerfMap(perfMap);
  const totals = new Map<string, number>();
  let program = Infinity;
  for (const line of stdout.split('\n')) {
    const m = /^\s*([\d,]+)\s+(?:\([^)]*\)\s+)?(\S.*)$/.exec(line);
    if (m === null) continue;
    const count = Number(m[1]!.replaceAll(',', ''));
    const where = m[2]!.replace(/ \[[^\]]*\]$/, '');
    if (where.includes('PROGRAM TOTALS')) program = count;
    if (!Number.isFinite(count) || where.includes('PROGRAM TOTALS')) continue;
    const address = /0x([0-9a-f]+)$/i.exec(where);
    const name = address === null ? where : (jit(parseInt(address[1]!, 16)) ?? 'JIT code, unnamed');
    totals.set(name, (totals.get(name) ?? 0) + count);
  }
  // A dump taken while the program runs charges the frames still on the stack (main, the
  // event loop, the JIT's entry code) with nearly all of it: those are left out.
  for (const [name, instructions] of totals) if (instructions > program / 2) totals.delete(name);
  return totals;
}

/** The `n` functions that took the most of `counts` (from `functionCounts`). */
export function topFunctions(counts: ReadonlyMap<string, number>, n: number): FunctionCount[] {
  return [...counts]
    .map(([name, instructions]) => ({ name, instructions }))
    .sort((a, b) => b.instructions - a.instructions)
    .slice(0, n);
}

/** V8's compilers: TurboFan, Maglev, Sparkplug, the bytecode generator, lazy compilation. */
const COMPILER =
  /v8::internal::(compiler|maglev|baseline|interpreter)::|v8::internal::Compiler::|CompileLazy/;

/**
 * The instructions V8's compilers took, of `counts` (from `functionCounts`). A server still
 * optimizing its code when the count starts pays them in the window; a server that has run
 * for a while no longer does, so they are counted apart.
 */
export function compilerInstructions(counts: ReadonlyMap<string, number>): number {
  let sum = 0;
  for (const [name, instructions] of counts) if (COMPILER.test(name)) sum += instructions;
  return sum;
}

/** Looks an address up in a perf map ("start size name" per line, hex), or undefined. */
function readPerfMap(path: string): (address: number) => string | undefined {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return () => undefined;
  }
  const ranges = text
    .split('\n')
    .map((line) => /^([0-9a-f]+) ([0-9a-f]+) (.*)$/i.exec(line))
    .filter((m) => m !== null)
    .map((m) => ({ start: parseInt(m[1]!, 16), size: parseInt(m[2]!, 16), name: m[3]! }))
    .sort((a, b) => a.start - b.start);
  return (address) => {
    let lo = 0;
    let hi = ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = ranges[mid]!;
      if (address < r.start) hi = mid - 1;
      else if (address >= r.start + r.size) lo = mid + 1;
      else return r.name;
    }
    return undefined;
  };
}
