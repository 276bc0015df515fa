// Preloaded (`node --expose-gc --import`) into a server that bench/request-instructions.ts
// counts: on SIGUSR2 it collects the heap in full and prints `collected` on stderr. Counted
// right after, every window starts from the same collected heap; without it, a full collection
// of what the warm-up left fell inside some windows and not others, and the same build's
// classic count came out at two levels.

import process from 'node:process';

const gc = globalThis.gc;
if (typeof gc !== 'function') throw new Error('collect-on-signal.mjs needs node --expose-gc');
process.on('SIGUSR2', () => {
  gc();
  process.stderr.write('collected\n');
});
