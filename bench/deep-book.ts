// `npm run bench:deep`: the engine with 1,000,000 resting orders against the same engine with
// an empty book, side by side, the mixed flow in process (as `npm run bench` runs it), and the
// engine's memory for the deep book (the heap and the typed arrays' buffers grown by building
// it, after full GCs; the process also holds the recorded flow, so its RSS says little here:
// `npm run bench:restart` gives the server's RSS with such a book).
// Each book is measured in a fresh process of its own (this script run again with --book=deep
// or --book=empty), as a server runs one engine: in one process the second book's runs came
// out 15-25% slower than alone, whichever ran first (bench/report/engine-path.md).
// Options: BENCH_DEPTH (default 1,000,000), BENCH_RUNS (default 5), BENCH_ENGINE_COMMANDS
// (default 1,000,000); argument --json: one JSON line instead of text (for `npm run bench`).

import type { MatchingEngine } from '../src/engine/adaptive-exchange.js';
import type { Request } from '../src/engine/commands.js';
import { DEFAULT_HISTORY_CACHE } from '../src/sequencer/sequencer.js';
import { benchEngine, deepBookRequests } from './engine.js';
import { collectHeap } from './window.js';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const DEPTH = Number(process.env.BENCH_DEPTH ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const COMMANDS = Number(process.env.BENCH_ENGINE_COMMANDS ?? 1_000_000);
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

let collected = false;
let built: { heapMiB: number; resting: number } | null = null;
let heapBefore = NaN;
const heapUsed = (): number => {
  collected = collectHeap();
  // The column engine keeps its orders in typed arrays, whose buffers live outside the heap.
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
};
const hooks = {
  beforeBuild: (): void => {
    if (built === null) heapBefore = heapUsed();
  },
  afterBuild: (engine: MatchingEngine): void => {
    if (built !== null) return;
    const resting = engine.restingOrderCount;
    built = { heapMiB: (heapUsed() - heapBefore) / 2 ** 20, resting };
  },
};

type Figures = Awaited<ReturnType<typeof benchEngine>>;
interface BookFigures {
  deep?: Figures;
  empty?: Figures;
  heapMiB?: number;
  resting?: number;
}

const book = process.argv.find((arg) => arg.startsWith('--book='))?.slice('--book='.length);
if (book === 'deep') {
  const deepBook = (): Iterable<Request> => deepBookRequests(DEPTH);
  const deep = await benchEngine(COMMANDS, RUNS, DEFAULT_HISTORY_CACHE, deepBook, hooks);
  const b = built as { heapMiB: number; resting: number } | null;
  console.log(JSON.stringify({ deep, heapMiB: b?.heapMiB, resting: b?.resting, collected }));
  process.exit(0);
}
if (book === 'empty') {
  console.log(JSON.stringify({ empty: await benchEngine(COMMANDS, RUNS, DEFAULT_HISTORY_CACHE) }));
  process.exit(0);
}

/** One book's figures, from a fresh process with this process's flags. */
function measured(which: 'deep' | 'empty'): BookFigures & { collected?: boolean } {
  const argv = [...process.execArgv, fileURLToPath(import.meta.url), `--book=${which}`];
  const out = execFileSync(process.execPath, argv, { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!) as BookFigures;
}
const fromDeep = measured('deep');
const deep = fromDeep.deep!;
const empty = measured('empty').empty!;
collected = fromDeep.collected ?? false;
const b =
  fromDeep.heapMiB === undefined ? null : { heapMiB: fromDeep.heapMiB, resting: fromDeep.resting! };
if (process.argv.includes('--json')) {
  console.log(
    JSON.stringify({ depth: DEPTH, empty, deep, heapMiB: b?.heapMiB, resting: b?.resting }),
  );
  process.exit(0);
}

console.log(`engine, mixed flow in process, medians of ${RUNS}:`);
console.log(
  `  empty book:        ${fmt(empty.commandsPerSecond)} commands/s (runs ${empty.runs.map(fmt).join(', ')})`,
);
console.log(
  `  ${fmt(DEPTH)} resting: ${fmt(deep.commandsPerSecond)} commands/s (runs ${deep.runs.map(fmt).join(', ')})`,
);
console.log(
  `  ratio deep / empty: ${(deep.commandsPerSecond / empty.commandsPerSecond).toFixed(2)}`,
);
if (b !== null) {
  console.log(
    `engine memory for the book (heap and typed arrays): ${b.heapMiB.toFixed(0)} MiB for ${fmt(b.resting)} resting orders` +
      ` (${((b.heapMiB * 2 ** 20) / b.resting).toFixed(0)} bytes each${collected ? '' : '; run with --expose-gc for exact figures'})`,
  );
}
