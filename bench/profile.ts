// Reading V8 CPU profiles (`node --cpu-prof`) for the benchmark report: where a process
// spends its time, by function (self time), with the runtime's own buckets (garbage
// collection, native code) kept apart.

import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string };
  readonly hitCount?: number;
  readonly children?: readonly number[];
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
 * Time including callees, by function: a sample counts once for every distinct function on
 * its stack (recursion counted once).
 */
export function inclusiveProfile(profile: CpuProfile, topN = 30): ProfileEntry[] {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const counts = new Map<string, number>();
  let busy = 0;
  for (const id of profile.samples) {
    const leaf = byId.get(id)!;
    if (leaf.callFrame.functionName === '(idle)') continue;
    busy++;
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = frameName(byId.get(at)!);
      if (seen.has(name)) continue;
      seen.add(name);
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, topN)
    .map(([name, n]) => ({ name, share: n / Math.max(1, busy) }));
}

/**
 * The main thread's profile in a --cpu-prof-dir written by one process (file names carry
 * pid and thread id: CPU.<date>.<time>.<pid>.<tid>.<seq>.cpuprofile; the main thread is 0).
 */
export function mainThreadProfile(dir: string, pid?: number): CpuProfile | null {
  return threadProfiles(dir, pid).find((t) => t.thread === 0)?.profile ?? null;
}

/** Every thread's profile in a --cpu-prof-dir written by one process, by thread id. */
export function threadProfiles(
  dir: string,
  pid?: number,
): { readonly thread: number; readonly profile: CpuProfile }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => ({ f, parts: f.split('.') }))
    .filter(({ parts }) => pid === undefined || parts[3] === String(pid))
    .map(({ f, parts }) => ({
      thread: Number(parts[4]),
      profile: JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile,
    }))
    .sort((a, b) => a.thread - b.thread);
}
