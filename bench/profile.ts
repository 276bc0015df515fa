// Reading V8 CPU profiles (`node --cpu-prof`) for the benchmark report: where a process
// spends its time, by function (self time), with the runtime's own buckets (garbage
// collection, native code) kept apart.

import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string };
  readonly hitCount?: number;
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
}

export interface ProfileEntry {
  /** function (file), or a runtime bucket such as "(garbage collector)". */
  readonly name: string;
  /** Share of the busy samples (idle excluded), 0..1. */
  readonly share: number;
}

export interface ProfileSummary {
  /** Busy samples' share spent in garbage collection, 0..1. */
  readonly gc: number;
  /** Share of all samples that were idle (waiting on I/O), 0..1. */
  readonly idle: number;
  readonly top: readonly ProfileEntry[];
}

function frameName(node: ProfileNode): string {
  // Line numbers are left out: under tsx they are of the transpiled text, not the source.
  const { functionName, url } = node.callFrame;
  if (url === '') return functionName.startsWith('(') ? functionName : `${functionName} (native)`;
  const file = url.includes('node_modules/')
    ? url.slice(url.lastIndexOf('node_modules/') + 'node_modules/'.length)
    : url.startsWith('node:')
      ? url
      : basename(url);
  return `${functionName || '(anonymous)'} (${file})`;
}

export function summarizeProfile(profile: CpuProfile, topN = 12): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const counts = new Map<string, number>();
  for (const id of profile.samples) {
    const name = frameName(byId.get(id)!);
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const total = profile.samples.length;
  const idle = counts.get('(idle)') ?? 0;
  counts.delete('(idle)');
  const busy = Math.max(1, total - idle);
  const top = [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, topN)
    .map(([name, n]) => ({ name, share: n / busy }));
  return {
    gc: (counts.get('(garbage collector)') ?? 0) / busy,
    idle: total === 0 ? 0 : idle / total,
    top,
  };
}

/**
 * The main thread's profile in a --cpu-prof-dir written by one process (file names carry
 * pid and thread id: CPU.<date>.<time>.<pid>.<tid>.<seq>.cpuprofile; the main thread is 0).
 */
export function mainThreadProfile(dir: string, pid?: number): CpuProfile | null {
  const file = readdirSync(dir).find((f) => {
    const parts = f.split('.');
    return (
      f.endsWith('.cpuprofile') &&
      parts[4] === '0' &&
      (pid === undefined || parts[3] === String(pid))
    );
  });
  return file === undefined
    ? null
    : (JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile);
}
