// Preloaded (`node --import`) into a server that bench/restart-memory.ts starts: on each
// SIGUSR2 it appends one JSON line to the file MEMORY_PROBE_OUT names, with what the process
// holds at that moment: V8's spaces (used against committed), Node's counts and the kernel's
// resident set. A signal rather than a timer, so that the server runs as it would without it
// until the benchmark asks.

import { appendFileSync, readFileSync } from 'node:fs';
import process from 'node:process';
import v8 from 'node:v8';

const out = process.env.MEMORY_PROBE_OUT;
const MiB = 1024 * 1024;
const mib = (bytes) => Math.round((bytes / MiB) * 10) / 10;

/** The resident set's lines of /proc/self/status, in MiB. */
function kernel() {
  const status = readFileSync('/proc/self/status', 'utf8');
  const field = (name) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1]) / 1024;
  return {
    rss: field('VmRSS'),
    anon: field('RssAnon'),
    file: field('RssFile'),
    hwm: field('VmHWM'),
  };
}

if (out !== undefined) {
  process.on('SIGUSR2', () => {
    const usage = process.memoryUsage();
    const spaces = {};
    for (const s of v8.getHeapSpaceStatistics()) {
      spaces[s.space_name] = { used: mib(s.space_used_size), committed: mib(s.space_size) };
    }
    const sample = {
      at: Date.now(),
      kernel: kernel(),
      heapUsed: mib(usage.heapUsed),
      heapTotal: mib(usage.heapTotal),
      external: mib(usage.external),
      arrayBuffers: mib(usage.arrayBuffers),
      spaces,
    };
    appendFileSync(out, JSON.stringify(sample) + '\n');
  });
}
