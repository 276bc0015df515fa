// The program's side of callgrind's counting window (callgrind.ts, countWindow): set-up and
// warm-up first, then `ready`; the work to count when told to go, then `done`; then the end
// when told, so that the counters are read while the program still runs.

import { createInterface } from 'node:readline';

/** Collects the heap in full when Node runs with `--expose-gc`; whether it could. */
export function collectHeap(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  return gc !== undefined;
}

// Long enough for V8's sweepers after a full collection of the deep book benchmark's heap
// (it held 1.2 GB of recorded requests then), with room to spare: engine-path.md.
const SWEEP_WAIT_MS = 1000;

/**
 * Collects the heap in full (with `--expose-gc`), then waits while V8's sweeper threads free
 * what it found dead. A timed run started at once pays for that sweeping on its own thread,
 * as its allocations need the pages: in proportion to the benchmark's heap, which a server's
 * would not be. Whether it could collect.
 */
export function settleHeap(): boolean {
  const collected = collectHeap();
  if (collected) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, SWEEP_WAIT_MS);
  return collected;
}

/**
 * Runs `run` once to warm up, collects the heap in full (with `--expose-gc`) so that every
 * count starts from the same heap whatever the warm-up left to collect, and then runs it
 * `reps` times inside the window.
 */
export async function countRuns(run: () => void, reps: number): Promise<void> {
  run();
  collectHeap();
  const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  process.stdout.write('ready\n');
  await lines.next();
  for (let rep = 0; rep < reps; rep++) run();
  process.stdout.write('done\n');
  await lines.next();
  process.stdin.destroy();
}
