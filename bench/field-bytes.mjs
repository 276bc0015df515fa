// What a number costs held in an object's field, as the engine's orders hold theirs, against
// a typed array's element: the reason money in doubles pays only once orders are columns
// (bench/report/engine-path.md). In Node 20's V8 (no pointer compression), a field is 8
// bytes; a small integer lives in it, but a double there is a heap number of its own (a box,
// which optimized code updates in place), and a bigint a heap object of its own, new on every
// change.
//   node --expose-gc bench/field-bytes.mjs
// Prints the heap each kind of object keeps, per object (its slot in the array that holds
// them included), what a typed array's element takes, and what updating a double field
// allocates.

import process from 'node:process';

const print = (line) => process.stdout.write(`${line}\n`);

const COUNT = 200_000;

class Small {
  constructor(i) {
    this.a = i;
    this.b = i * 3;
    this.c = i + 7;
  }
}

class Doubles {
  constructor(i) {
    // Past 2^31: not a small integer, as cash at 10^-16 never is.
    this.a = i + 2 ** 60;
    this.b = i * 3 + 2 ** 60;
    this.c = i + 1e20;
  }
}

class Bigints {
  constructor(i) {
    // Two 64-bit digits each, as a cash amount at 10^-16 of more than $1,845 has.
    const n = BigInt(i);
    this.a = n + (1n << 70n);
    this.b = n * 3n + (1n << 70n);
    this.c = n + (1n << 80n);
  }
}

class Empty {}

/** Heap kept per object made by `make`, after full collections before and after. */
function retained(make) {
  const keep = [];
  globalThis.gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < COUNT; i++) keep.push(make(i));
  globalThis.gc();
  const bytes = (process.memoryUsage().heapUsed - before) / COUNT;
  return { bytes, keep };
}

if (typeof globalThis.gc !== 'function') {
  process.stderr.write('run with --expose-gc\n');
  process.exit(2);
}
const empty = retained(() => new Empty()).bytes;
const rows = [
  ['three small integers', retained((i) => new Small(i)).bytes],
  ['three doubles', retained((i) => new Doubles(i)).bytes],
  ['three bigints', retained((i) => new Bigints(i)).bytes],
];
print(`an empty object and its slot: ${empty.toFixed(1)} bytes`);
for (const [name, bytes] of rows) {
  const perField = (bytes - empty) / 3;
  print(`${name}: ${bytes.toFixed(1)} bytes an object, ${perField.toFixed(1)} a field`);
}
{
  // The same three numbers a row as columns: the heap keeps the array objects, the rest
  // is their buffers, outside it.
  globalThis.gc();
  const heap = process.memoryUsage().heapUsed;
  const buffers = process.memoryUsage().arrayBuffers;
  const columns = [0, 1, 2].map(() => new Float64Array(COUNT));
  globalThis.gc();
  const inHeap = (process.memoryUsage().heapUsed - heap) / (3 * COUNT);
  const outside = (process.memoryUsage().arrayBuffers - buffers) / (3 * COUNT);
  print(
    `a Float64Array element: ${outside.toFixed(1)} bytes outside the collected heap, ` +
      `${inHeap.toFixed(2)} in it (${columns.length} columns)`,
  );
}

// A double field is updated in place once its box exists: little or nothing per update.
const { keep } = retained((i) => new Doubles(i));
globalThis.gc();
const before = process.memoryUsage().heapUsed;
let sum = 0;
for (let round = 0; round < 10; round++) {
  for (const o of keep) {
    o.a += 1;
    sum += o.a;
  }
}
const perUpdate = (process.memoryUsage().heapUsed - before) / (10 * keep.length);
print(`updating a double field: ${perUpdate.toFixed(2)} bytes an update (${sum > 0})`);
