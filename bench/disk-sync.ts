// How long this machine's disk takes to make one small append durable: the floor under every
// durable reply, which a bare server never pays.

import { closeSync, fdatasyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { median } from './stats.js';

/** Median milliseconds of a 4 KiB append followed by fdatasync, in `dir`. */
export function fdatasyncMs(dir: string, appends = 100): number {
  const file = join(dir, 'disk-sync.probe');
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(4096, 1);
  const times: number[] = [];
  try {
    for (let i = 0; i < appends; i++) {
      const started = performance.now();
      writeSync(fd, block);
      fdatasyncSync(fd);
      times.push(performance.now() - started);
    }
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
  return median(times);
}
