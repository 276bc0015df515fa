// Counting instructions with valgrind's callgrind: a figure that does not swing with the
// machine's load as times do. The benches count a piece of work at two sizes and divide the
// difference by what it adds, so that start-up cancels out.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/** valgrind's arguments to run this Node with `nodeArgs` under callgrind. */
export function callgrindArgs(nodeArgs: readonly string[]): string[] {
  return [
    '--tool=callgrind',
    '--callgrind-out-file=/dev/null',
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
  const { stderr } = await promisify(execFile)('valgrind', callgrindArgs(nodeArgs), {
    cwd,
    maxBuffer: 1 << 24,
  });
  return collectedInstructions(stderr);
}
