// Counting instructions with valgrind's callgrind: a figure that does not swing with the
// machine's load as times do. The benches count a piece of work at two sizes and divide the
// difference by what it adds, so that start-up cancels out; or, for a server that must warm
// up first, zero the counters after a warm-up and dump them after the work to count.

import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
