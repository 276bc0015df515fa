// What the benchmark matrix measures: its cells, and the engine's in-process figures.

import { classicRequest } from '../tools/client/classic-client.js';
import { MixedFlow } from '../tools/load/mixed-flow.js';
import type { EngineFigures } from './engine.js';
import type { LoadJob } from './load-worker.js';

export type Mode = 'classic' | 'framed';
export type StoreKind = 'memory' | 'sqlite' | 'postgres';

/** The mixed flow's accounts and symbols, funded on each exchange before its load. */
export const ACCOUNTS = 200;
export const SYMBOLS = 4;

/** The load of each mode, less where it goes, for how long and its seed. */
export const LOADS: Record<
  Mode,
  Omit<LoadJob, 'port' | 'durationMs' | 'accounts' | 'symbols' | 'seed'>
> = {
  // 32 clients, a connection per request: the load the original server was measured under.
  classic: { mode: 'classic', connections: 32, scenario: 'swap' },
  framed: { mode: 'framed', connections: 4, window: 256, ordersOnly: true },
};

/**
 * The load of `mode` on a server's ports for `durationMs`, over the mixed flow's accounts. The
 * bare floor answers anything with a fixed document: no swap check there.
 */
export function loadJob(
  mode: Mode,
  server: { readonly port: number; readonly framedPort: number },
  durationMs: number,
  seed: number,
  bare = false,
): LoadJob {
  return {
    ...LOADS[mode],
    ...(bare ? { scenario: 'mixed' as const } : {}),
    port: mode === 'classic' ? server.port : server.framedPort,
    durationMs,
    accounts: ACCOUNTS,
    symbols: SYMBOLS,
    seed,
  };
}

/** Funds the mixed flow's accounts on an exchange (the same accounts as the loads' flow). */
export function fundMixedFlow(port: number): Promise<string> {
  return classicRequest(port, new MixedFlow({ accounts: ACCOUNTS, symbols: SYMBOLS }).setupXml());
}

export interface Cell {
  readonly mode: Mode;
  readonly kind: 'bare' | 'exchange';
  readonly store: StoreKind | null;
  /** Bare: server processes. Exchange: gateway processes (0: one process). */
  readonly workers: number;
  readonly pinned: boolean;
}

export const cellName = (c: Cell): string =>
  (c.kind === 'bare'
    ? `${c.mode} bare floor, ${c.workers} process${c.workers > 1 ? 'es' : ''}`
    : `${c.mode} ${c.store}, --workers ${c.workers}`) + (c.pinned ? ', pinned' : '');

/** `bench/deep-book.ts --json`: the mixed flow on an empty book and on a deep one. */
export interface EngineResults {
  readonly depth: number;
  readonly empty: EngineFigures;
  readonly deep: EngineFigures;
  readonly heapMiB?: number;
  readonly resting?: number;
}
