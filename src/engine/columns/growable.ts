// Typed arrays that grow: a copy at a larger size (amortized O(1) an element), the new
// elements set to `fill`. The column engine's columns are typed arrays, which cannot grow in
// place.

export function grownFloats(a: Float64Array, length: number, fill = 0): Float64Array<ArrayBuffer> {
  const b = new Float64Array(length);
  b.set(a);
  if (fill !== 0) b.fill(fill, a.length);
  return b;
}

export function grownInts(a: Int32Array, length: number, fill = 0): Int32Array<ArrayBuffer> {
  const b = new Int32Array(length);
  b.set(a);
  if (fill !== 0) b.fill(fill, a.length);
  return b;
}

export function grownBytes(a: Uint8Array, length: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(length);
  b.set(a);
  return b;
}

/** Past this many slots, columns grow straight to RESERVED. */
const SMALL = 1 << 16;
/**
 * Slots reserved at once for a big book: 4M orders' columns are about 400 MB of address
 * space, but the system gives a buffer this large pages only as they are written, so memory
 * in use still follows the book. Made while the book is still small, it spares a big book the
 * doublings that each copy every column into hundreds of megabytes of new buffers, to which
 * V8 answers with full collections of the heap (bench/report/engine-path.md).
 */
const RESERVED = 1 << 22;

/** The capacity to grow to so that index `i` fits. */
export function capacityFor(i: number, capacity: number): number {
  let n = Math.max(capacity, 16);
  while (n <= i) n *= 2;
  return n > SMALL && n < RESERVED ? RESERVED : n;
}
