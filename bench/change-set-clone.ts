// What handing a batch's changes to a store's thread costs: the structured clone postMessage
// does, of the ChangeSet's row objects as they were sent before, against the packed form
// (src/store/change-set-codec.ts: pack, clone, unpack). Change sets are the mixed flow's, in
// groups of 10, 64 and 600 requests. `v8.serialize`/`deserialize` is the serializer
// postMessage uses. Both ways alternate within each round; medians of the rounds, and the
// median of the per-round ratios.
//   node --import tsx bench/change-set-clone.ts [rounds]

import { deserialize, serialize } from 'node:v8';
import type { ChangeSet } from '../src/engine/changes.js';
import { Exchange } from '../src/engine/exchange.js';
import { packChangeSet, unpackChangeSet } from '../src/store/change-set-codec.js';
import { recordMixedFlow } from './engine.js';
import { median } from './stats.js';

const ROUNDS = Number(process.argv[2] ?? 7);
const REQUESTS = 60_000;

function changeSets(group: number): ChangeSet[] {
  const { setup, requests } = recordMixedFlow(REQUESTS);
  const engine = new Exchange();
  engine.apply(setup, 0);
  engine.takeChanges();
  const sets: ChangeSet[] = [];
  for (let i = 0; i < requests.length; i += group) {
    const end = Math.min(i + group, requests.length);
    for (let j = i; j < end; j++) engine.apply(requests[j]!, 1);
    sets.push(engine.takeChanges());
    engine.takeEvents();
  }
  return sets;
}

/** µs per request to hand over every set one way. */
function time(sets: readonly ChangeSet[], handOver: (c: ChangeSet) => unknown): number {
  const started = performance.now();
  for (const c of sets) handOver(c);
  return ((performance.now() - started) * 1000) / REQUESTS;
}

const asObjects = (c: ChangeSet): unknown => deserialize(serialize(c));
const packed = (c: ChangeSet): unknown => unpackChangeSet(deserialize(serialize(packChangeSet(c))));

console.log(`handing a change set to another thread, µs per request, median of ${ROUNDS} rounds:`);
console.log('  group  objects  packed  packed/objects  bytes per request (objects, packed)');
for (const group of [10, 64, 600]) {
  const sets = changeSets(group);
  const objects: number[] = [];
  const packs: number[] = [];
  const ratios: number[] = [];
  // One round unmeasured, so both ways run compiled code.
  time(sets, asObjects);
  time(sets, packed);
  for (let round = 0; round < ROUNDS; round++) {
    const first = round % 2 === 0;
    const a = first ? time(sets, asObjects) : NaN;
    const b = time(sets, packed);
    const o = first ? a : time(sets, asObjects);
    objects.push(o);
    packs.push(b);
    ratios.push(b / o);
  }
  let objectBytes = 0;
  let packedBytes = 0;
  for (const c of sets) {
    objectBytes += serialize(c).length;
    packedBytes += serialize(packChangeSet(c)).length;
  }
  console.log(
    `  ${String(group).padStart(5)}  ${median(objects).toFixed(2).padStart(7)}  ${median(packs).toFixed(2).padStart(6)}  ` +
      `${median(ratios).toFixed(2).padStart(14)}  ${Math.round(objectBytes / REQUESTS)}, ${Math.round(packedBytes / REQUESTS)}`,
  );
}
