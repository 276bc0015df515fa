// Why a connection per request costs every Node 20 server a good part of its instructions in
// inline-cache misses (bench/report/request-path.md): net.Socket's constructor copies its
// options with `{ ...options }` and then adds four properties to the copy. In this V8 (Node
// 20's), that gives the copy a map of its own every time, so the options lookups that follow
// in the stream constructors (`options.read`, `options.signal`, `options.highWaterMark`, ...)
// never hit their megamorphic cache. This shows it outside Node, in the constructor's shape:
//   node --allow-natives-syntax bench/spread-maps.mjs
// It prints, for each way of making the copy, how many of 1,000 consecutive copies share the
// map of the one before (1,000 when V8 reuses one map; near 0 when every copy has its own).

import process from 'node:process';

const source = () => ({
  handle: {},
  allowHalfOpen: true,
  pauseOnCreate: false,
  readable: true,
  writable: true,
  readableHighWaterMark: undefined,
  writableHighWaterMark: undefined,
});

/** As net.Socket does it: a spread copy, then the defaults it sets. */
function spreadThenAdd(options) {
  options = { ...options };
  options.allowHalfOpen = Boolean(options.allowHalfOpen);
  options.emitClose = false;
  options.autoDestroy = true;
  options.decodeStrings = false;
  return options;
}

const spreadOnly = (options) => ({ ...options });

/** The same object, its properties written out in a literal. */
const literal = (o) => ({
  handle: o.handle,
  allowHalfOpen: Boolean(o.allowHalfOpen),
  pauseOnCreate: o.pauseOnCreate,
  readable: o.readable,
  writable: o.writable,
  readableHighWaterMark: o.readableHighWaterMark,
  writableHighWaterMark: o.writableHighWaterMark,
  emitClose: false,
  autoDestroy: true,
  decodeStrings: false,
});

const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)');

for (const [name, copy] of Object.entries({ spreadThenAdd, spreadOnly, literal })) {
  let previous = copy(source());
  let same = 0;
  for (let i = 0; i < 1000; i++) {
    const next = copy(source());
    if (haveSameMap(next, previous)) same++;
    previous = next;
  }
  process.stdout.write(`${name}: ${same} of 1,000 copies share the map of the one before\n`);
}
