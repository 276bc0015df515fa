// The memory store's commit alone: the change sets of the mixed flow (batches of 100, as the
// server takes them) committed into a fresh MemoryStore, this checkout's and, given another
// checkout, that one's too, in interleaved runs. The store keeps everything it is given, so
// its cost per commit grows with what it holds: `commands` sets how much that is.
//   node --import tsx bench/memory-store-commit.ts [commands] [other checkout]
// Prints the median µs per command of each and their ratio.

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ChangeSet } from '../src/engine/changes.js';
import { Exchange } from '../src/engine/exchange.js';
import { MemoryStore } from '../src/store/memory-store.js';
import type { Store } from '../src/store/store.js';
import { recordMixedFlow } from './engine.js';
import { median } from './stats.js';

const BATCH = 100;
const RUNS = 7;
const commands = Number(process.argv[2] ?? 1_000_000);
const other = process.argv[3];

/** The change sets the engine hands the store while it applies the mixed flow. */
function changeSets(): ChangeSet[] {
  const { setup, requests } = recordMixedFlow(commands);
  const engine = new Exchange();
  engine.apply(setup, 0);
  const sets = [engine.takeChanges()];
  for (let i = 0; i < requests.length; i += BATCH) {
    for (let j = i; j < Math.min(i + BATCH, requests.length); j++) engine.apply(requests[j]!, 1);
    sets.push(engine.takeChanges());
  }
  return sets;
}

async function microsPerCommand(
  makeStore: () => Store,
  sets: readonly ChangeSet[],
): Promise<number> {
  const store = makeStore();
  const started = performance.now();
  for (const set of sets) await store.commit(set);
  return ((performance.now() - started) * 1000) / commands;
}

const sets = changeSets();
const stores: [string, () => Store][] = [['this checkout', () => new MemoryStore()]];
if (other !== undefined) {
  const url = pathToFileURL(resolve(other, 'src/store/memory-store.ts')).href;
  const { MemoryStore: OtherStore } = (await import(url)) as { MemoryStore: new () => Store };
  stores.push([other, () => new OtherStore()]);
}
const times = new Map<string, number[]>(stores.map(([name]) => [name, []]));
for (let run = 0; run < RUNS; run++) {
  for (const [name, make] of run % 2 === 0 ? stores : [...stores].reverse()) {
    times.get(name)!.push(await microsPerCommand(make, sets));
  }
}
console.log(
  `${commands.toLocaleString('en-US')} commands in batches of ${BATCH}, median of ${RUNS}:`,
);
for (const [name, t] of times) console.log(`  ${name}: ${median(t).toFixed(3)} µs per command`);
if (other !== undefined) {
  const ratios = times.get('this checkout')!.map((t, i) => t / times.get(other)![i]!);
  console.log(`  ratio, this / other (paired): ${median(ratios).toFixed(2)}`);
}
