// The engine's mixed flow applied `reps` times to a fresh engine, nothing timed: the work that
// bench/engine-instructions.ts counts instructions of under valgrind (the difference of two
// rep counts leaves out start-up and building the flow).

import { Exchange } from '../src/engine/exchange.js';
import { DEFAULT_HISTORY_CACHE } from '../src/sequencer/sequencer.js';
import { recordMixedFlow } from './engine.js';

const BATCH = 100;
const count = Number(process.argv[2] ?? 100_000);
const reps = Number(process.argv[3] ?? 1);
const { setup, requests } = recordMixedFlow(count);
for (let rep = 0; rep < reps; rep++) {
  const engine = new Exchange();
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
