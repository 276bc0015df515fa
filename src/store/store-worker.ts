// A store's writer in its own thread, seen from the engine's thread: requests go out in
// order, and the worker answers them in order, several merged commits in one reply. Writes,
// fsyncs and the driver's work never wait behind the event loop that serves sockets and
// runs the engine, and never hold it up.

import { Worker } from 'node:worker_threads';
import type { ChangeSet } from '../engine/changes.js';

export type WorkerRequest =
  /** Answers once the store is open, locked and migrated. */
  | { readonly type: 'ready' }
  | { readonly type: 'commit'; readonly changes: ChangeSet }
  /** Drops a failed connection and forgets the failure; the next `ready` reconnects. */
  | { readonly type: 'reset' }
  | { readonly type: 'close' };

/** Answers `count` requests, in order. */
export type WorkerReply =
  | { readonly ok: true; readonly count: number }
  | { readonly ok: false; readonly count: number; readonly error: string };

export const errorMessage = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

interface Call {
  resolve: () => void;
  reject: (error: Error) => void;
}

export class StoreWorker {
  private readonly worker: Worker;
  /** Calls in flight, answered in order. */
  private readonly calls: Call[] = [];
  /** Set when the thread itself failed or exited: every later call fails with it. */
  failure: Error | null = null;

  /** `name` is the worker module beside this file, without extension. */
  constructor(name: string, workerData: unknown) {
    this.worker = startWorker(name, workerData);
    this.worker.on('message', (reply: WorkerReply) => {
      for (const call of this.calls.splice(0, reply.count)) {
        if (reply.ok) call.resolve();
        else call.reject(new Error(reply.error));
      }
    });
    const fail = (error: Error): void => {
      this.failure ??= error;
      for (const call of this.calls.splice(0)) call.reject(error);
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`the ${name} thread exited (${code})`)));
  }

  call(request: WorkerRequest): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.failure !== null) return reject(this.failure);
      this.calls.push({ resolve, reject });
      this.worker.postMessage(request);
    });
  }

  /** Asks the worker to close, then ends the thread. */
  async close(): Promise<void> {
    if (this.failure === null) await this.call({ type: 'close' });
    await this.worker.terminate();
  }
}

// Built, the worker is a .js file beside this one. Run from source under tsx (tests), it is
// .ts and the worker thread must register tsx itself before importing it.
function startWorker(name: string, workerData: unknown): Worker {
  if (!import.meta.url.endsWith('.ts')) {
    return new Worker(new URL(`./${name}.js`, import.meta.url), { workerData });
  }
  const source = new URL(`./${name}.ts`, import.meta.url).href;
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}
