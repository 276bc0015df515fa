/**
 * An empty array that already holds objects. An empty literal starts out as an array of small
 * integers and changes kind with the first object stored in it; when that happens to a new
 * engine's arrays, the code V8 optimized for an earlier engine's arrays (each restore, each
 * engine a test or a benchmark builds) is thrown away and compiled again.
 */
export function objectArray<T>(): T[] {
  const array: unknown[] = [undefined];
  array.pop();
  return array as T[];
}
