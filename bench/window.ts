// The program's side of callgrind's counting window (callgrind.ts, countWindow): set-up and
// warm-up first, then `ready`; the work to count when told to go, then `done`; then the end
// when told, so that the counters are read while the program still runs.

import { createInterface } from 'node:readline';

export async function countedWindow(work: () => void): Promise<void> {
  const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  process.stdout.write('ready\n');
  await lines.next();
  work();
  process.stdout.write('done\n');
  await lines.next();
  process.stdin.destroy();
}
