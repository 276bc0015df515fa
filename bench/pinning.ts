// CPU pinning with taskset (util-linux) for the benchmark matrix: the engine on core 0, the
// gateways and the load generator on the others, so that the engine's single writer never
// shares its core and what the gateways cost shows apart from it.

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

export interface CoreLayout {
  /** CPU list for the engine process (all its threads), in taskset -c syntax. */
  readonly engine: string;
  /** CPU list for gateway processes and the load generator. */
  readonly others: string;
}

/** The layout when taskset is there and there are at least two cores; else null. */
export function coreLayout(): CoreLayout | null {
  const n = cpus().length;
  if (n < 2) return null;
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
  } catch {
    return null;
  }
  return { engine: '0', others: n === 2 ? '1' : `1-${n - 1}` };
}

/** Direct children of a process (its cluster workers), from /proc. */
export function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
    if (text !== '') children.push(...text.split(' ').map(Number));
  }
  return children;
}

/** Pins a running server: its own process to the engine's cores, its children to the others. */
export function pinServer(pid: number, layout: CoreLayout): void {
  const pin = (cpuList: string, target: number): void => {
    execFileSync('taskset', ['-a', '-p', '-c', cpuList, String(target)], { stdio: 'ignore' });
  };
  pin(layout.engine, pid);
  for (const child of childPids(pid)) pin(layout.others, child);
}
