// What handing a batch's changes to a store's thread costs: the structured clone postMessage
// does, of the ChangeSet's row objects as they were sent before, against the packed form
// (src/store/change-set-codec.ts: pack, clone, unpack). Change sets are the mixed flow's, in
// groups of 10, 64 and 600 requests. `v8.serialize`/`deserialize` is the serializer
// postMessage uses. Both ways alternate within each round; medians of the rounds, and the
// median of the per-round ratios. Then the column engine's (the server's): its rows packed,
// as it sent them before, against its columns sent as they are (engine/change-columns.ts);
// on the engine's thread (pack and serialize) and on the store's (deserialize, unpack, every
// table read as rows), apart.
//   node --import tsx bench/change-set-clone.ts [rounds]

import { deserialize, serialize } from 'node:v8';
import { AdaptiveExchange } from '../src/engine/adaptive-exchange.js';
import type { ChangeSet } from '../src/engine/changes.js';
import { Exchange } from '../src/engine/exchange.js';
import type { MatchingEngine } from '../src/engine/adaptive-exchange.js';
import { packChangeSet, unpackChangeSet } from '../src/store/change-set-codec.js';
import { recordMixedFlow } from './engine.js';
import { median } from './stats.js';

const ROUNDS = Number(process.argv[2] ?? 7);
const REQUESTS = 60_000;

function changeSets(group: number, engine: MatchingEngine = new Exchange()): ChangeSet[] {
  const { setup, requests } = recordMixedFlow(REQUESTS);
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

/** A change set's rows as plain arrays, read once: what the column engine handed out before. */
const asRows = (c: ChangeSet): ChangeSet => ({
  accounts: c.accounts,
  symbols: c.symbols,
  positions: c.positions,
  newOrders: c.newOrders,
  orderUpdates: c.orderUpdates,
  orderReshapes: c.orderReshapes,
  executions: c.executions,
  cancels: c.cancels,
  amendments: c.amendments,
});

/** Reads every table, as a store's writer does. */
function readAll(c: ChangeSet): number {
  return (
    c.accounts.length +
    c.symbols.length +
    c.positions.length +
    c.newOrders.length +
    c.orderUpdates.length +
    c.orderReshapes.length +
    c.executions.length +
    c.cancels.length +
    c.amendments.length
  );
}

console.log(
  `\nthe column engine's change sets, rows packed against columns, µs per request, median of ${ROUNDS} rounds:`,
);
console.log(
  '  group  engine thread: rows  columns  ratio   store thread: rows  columns  ratio   bytes (rows, columns)',
);
for (const group of [10, 64, 600]) {
  const columnSets = changeSets(group, AdaptiveExchange.create());
  const rowSets = columnSets.map(asRows);
  const rowMessages = rowSets.map((c) => serialize(packChangeSet(c)));
  const columnMessages = columnSets.map((c) => serialize(packChangeSet(c)));
  const send = (c: ChangeSet): unknown => serialize(packChangeSet(c));
  const receive = (message: Buffer): unknown => readAll(unpackChangeSet(deserialize(message)));
  const sent = { rows: [] as number[], columns: [] as number[], ratios: [] as number[] };
  const received = { rows: [] as number[], columns: [] as number[], ratios: [] as number[] };
  time(rowSets, send);
  time(columnSets, send);
  for (let round = 0; round < ROUNDS + 1; round++) {
    const rows = time(rowSets, send);
    const columns = time(columnSets, send);
    const rowsIn = timeEach(rowMessages, receive);
    const columnsIn = timeEach(columnMessages, receive);
    if (round === 0) continue;
    sent.rows.push(rows);
    sent.columns.push(columns);
    sent.ratios.push(columns / rows);
    received.rows.push(rowsIn);
    received.columns.push(columnsIn);
    received.ratios.push(columnsIn / rowsIn);
  }
  const bytes = (messages: Buffer[]): number =>
    Math.round(messages.reduce((sum, m) => sum + m.length, 0) / REQUESTS);
  const f = (v: number[], width: number): string => median(v).toFixed(2).padStart(width);
  console.log(
    `  ${String(group).padStart(5)}  ${f(sent.rows, 19)}  ${f(sent.columns, 7)}  ${f(sent.ratios, 5)}` +
      `  ${f(received.rows, 19)}  ${f(received.columns, 7)}  ${f(received.ratios, 5)}` +
      `   ${bytes(rowMessages)}, ${bytes(columnMessages)}`,
  );
}

/** µs per request to take in every message one way. */
function timeEach(messages: readonly Buffer[], take: (m: Buffer) => unknown): number {
  const started = performance.now();
  for (const m of messages) take(m);
  return ((performance.now() - started) * 1000) / REQUESTS;
}
