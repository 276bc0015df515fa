// A store's writer in its own thread, seen from the engine's thread: requests go out in
// order, and the worker answers them in order, several merged commits in one reply. Writes,
// fsyncs and the driver's work never wait behind the event loop that serves sockets and
// runs the engine, and never hold it up.

import { Worker } from 'node:worker_threads';
import type { ChangeSet } from '../engine/changes.js';
import { packChangeSet, type PackedChangeSet } from './change-set-codec.js';
import type { LeaderRecord, LeadershipMode } from './leadership.js';
import { failureFromCode } from '../errors/failures.js';

export type WorkerRequest =
  /**
   * Answers once the store is open, migrated and this engine leads it (with the epoch, where
   * the store has one); a standby's waits until then.
   */
  | { readonly type: 'ready'; readonly mode?: LeadershipMode }
  | { readonly type: 'commit'; readonly changes: PackedChangeSet }
  /** Drops a failed connection and forgets the failure; the next `ready` reconnects. */
  | { readonly type: 'reset' }
  | { readonly type: 'close' };

/** Answers `count` requests, in order. */
export type WorkerReply =
  | {
      readonly ok: true;
      readonly count: number;
      readonly value?: unknown;
      /** A merged group of commits: how long the thread took to write it, rows and flush. */
      readonly writeMs?: number;
    }
  | {
      readonly ok: false;
      readonly count: number;
      readonly error: string;
      /** A code of store-errors.ts, rebuilt as its class on this side. */
      readonly code?: string;
    };

/** What the worker reports unasked. */
export type WorkerEvent =
  /** A standby found another engine leading and waits; sent once per wait. */
  | { readonly event: 'waiting'; readonly leader: LeaderRecord }
  /** The connection or the leadership was lost while idle (a heartbeat failed). */
  | { readonly event: 'lost'; readonly error: string; readonly code?: string }
  /** A standby's look at the leadership failed, for a new reason; it goes on looking. */
  | { readonly event: 'retrying'; readonly error: string };

export interface StoreWorkerEvents {
  waiting?(leader: LeaderRecord): void;
  lost?(error: Error): void;
  retrying?(error: string): void;
}

export const errorMessage = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

interface Call {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export class StoreWorker {
  private readonly worker: Worker;
  /** Calls in flight, answered in order. */
  private readonly calls: Call[] = [];
  /** Set when the thread itself failed or exited: every later call fails with it. */
  failure: Error | null = null;

  /** Where the worker's unasked reports go. */
  events: StoreWorkerEvents = {};

  /**
   * Told of each group of commits written: its time on the worker's thread, its batches.
   * Called before the group's commits settle; it must not throw.
   */
  written: ((ms: number, batches: number) => void) | null = null;

  /** `name` is the worker module beside this file, without extension. */
  constructor(name: string, workerData: unknown) {
    this.worker = startWorker(name, workerData);
    this.worker.on('message', (message: WorkerReply | WorkerEvent) => {
      if ('event' in message) {
        if (message.event === 'waiting') this.events.waiting?.(message.leader);
        else if (message.event === 'retrying') this.events.retrying?.(message.error);
        else this.events.lost?.(failureFromCode(message.code, message.error));
        return;
      }
      if (message.ok && message.writeMs !== undefined)
        this.written?.(message.writeMs, message.count);
      for (const call of this.calls.splice(0, message.count)) {
        if (message.ok) call.resolve(message.value);
        else call.reject(failureFromCode(message.code, message.error));
      }
    });
    const fail = (error: Error): void => {
      this.failure ??= error;
      for (const call of this.calls.splice(0)) call.reject(error);
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`the ${name} thread exited (${code})`)));
  }

  call(request: WorkerRequest): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.failure !== null) return reject(this.failure);
      this.calls.push({ resolve, reject });
      this.worker.postMessage(request);
    });
  }

  /** Hands one batch's changes to the writer, packed (change-set-codec.ts). */
  commit(changes: ChangeSet): Promise<void> {
    return this.call({ type: 'commit', changes: packChangeSet(changes) }) as Promise<void>;
  }

  /** Asks the worker to close, then ends the thread. */
  async close(): Promise<void> {
    if (this.failure === null) await this.call({ type: 'close' }).catch(() => {});
    await this.worker.terminate();
  }
}

// Built, the worker is a .js file beside this one. Run from source under tsx (tests), it is
// .ts and the worker thread must register tsx itself before importing it.
export function startWorker(name: string, workerData: unknown): Worker {
  if (!import.meta.url.endsWith('.ts')) {
    return new Worker(new URL(`./${name}.js`, import.meta.url), { workerData });
  }
  const source = new URL(`./${name}.ts`, import.meta.url).href;
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}
