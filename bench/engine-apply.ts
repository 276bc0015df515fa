// The engine's mixed flow applied `reps` times to a fresh engine each time, nothing timed: the
// work that bench/engine-instructions.ts counts instructions of under valgrind. With
// `--window`, one more run first warms the engine up and a full collection follows (with
// --expose-gc), and the counted runs are framed by callgrind's counting window (window.ts),
// so that start-up, recording the flow and the first compilations are left out. The engine is
// the server's (the adaptive engine, where the checkout has one); BENCH_ENGINE=classic counts
// the classic engine alone; BENCH_BOOK_EVENTS=1 has it make market-data events from the start,
// as a server does once somebody follows a book feed.
//   node --import tsx bench/engine-apply.ts [commands] [reps] [--window]

import { Exchange } from '../src/engine/exchange.js';
import { DEFAULT_HISTORY_CACHE } from '../src/sequencer/sequencer.js';
import { recordMixedFlow } from './engine.js';
import { countRuns } from './window.js';

const BATCH = 100;
const [count, reps] = process.argv
  .slice(2)
  .filter((arg) => !arg.startsWith('--'))
  .map(Number);
const { setup, requests } = recordMixedFlow(count ?? 100_000);

// An older checkout has no adaptive engine: its engine is the classic one.
const adaptive = await import('../src/engine/adaptive-exchange.js').catch(() => null);
const options = process.env.BENCH_BOOK_EVENTS === '1' ? { bookEvents: true } : {};
const makeEngine =
  adaptive !== null && process.env.BENCH_ENGINE !== 'classic'
    ? () => adaptive.AdaptiveExchange.create(options)
    : () => new Exchange(options);

function applyFlow(): void {
  const engine = makeEngine();
  engine.apply(setup, 0);
  engine.takeChanges();
  for (let i = 0; i < requests.length; i += BATCH) {
    const end = Math.min(i + BATCH, requests.length);
    for (let j = i; j < end; j++) engine.apply(requests[j]!, 1);
    const batch = engine.currentBatch;
    engine.takeChanges();
    // An engine from before book events has no takeEvents.
    (engine as { takeEvents?: () => unknown }).takeEvents?.();
    engine.evictClosed(batch, DEFAULT_HISTORY_CACHE);
  }
}

if (process.argv.includes('--window')) await countRuns(applyFlow, reps ?? 1);
else for (let rep = 0; rep < (reps ?? 1); rep++) applyFlow();
