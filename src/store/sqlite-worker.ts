// The SQLite store's thread: owns the database connection, so fsyncs never block the event
// loop that serves sockets and runs the engine. Commits that queue up while one is being
// written are merged into the next transaction: one fsync for all of them. Checkpoints run
// in a thread of their own (sqlite-checkpointer.ts), not in line with a commit.

import {
  parentPort,
  receiveMessageOnPort,
  workerData,
  type MessagePort,
  type Worker,
} from 'node:worker_threads';
import { unpackChangeSet, type PackedChangeSet } from './change-set-codec.js';
import { mergeChangeSets } from '../engine/merge-changes.js';
import { SqliteDatabase, type SyncMode } from './sqlite-database.js';
import { CHECKPOINT_FLAG_BYTES, COMMITS, RESTART_WANTED } from './sqlite-checkpointer.js';
import { errorMessage, startWorker, type WorkerReply, type WorkerRequest } from './store-worker.js';

const { path, sync } = workerData as { path: string; sync: SyncMode };
const port: MessagePort = parentPort!;

let db: SqliteDatabase;
try {
  db = await SqliteDatabase.open(path, sync);
} catch (error) {
  port.postMessage({ ok: false, count: 1, error: errorMessage(error) } satisfies WorkerReply);
  process.exit(1);
}

const flags = new Int32Array(new SharedArrayBuffer(CHECKPOINT_FLAG_BYTES));
/** The checkpointer thread; null for an in-memory database, or once it has stopped. */
let checkpointer: Worker | null = null;
if (path !== ':memory:') {
  const thread = startWorker('sqlite-checkpointer', {
    checkpointer: true,
    path,
    sync,
    flags: flags.buffer,
  });
  checkpointer = thread;
  db.checkpointElsewhere(true);
  // Should it ever fail, the writer checkpoints in line again, as SQLite does by default:
  // the WAL must not grow without end.
  const stopped = (): void => {
    if (checkpointer !== thread) return;
    checkpointer = null;
    db.checkpointElsewhere(false);
  };
  thread.on('error', stopped);
  thread.on('exit', stopped);
}

/** After a commit's reply: counts it, and lets the WAL start over when the checkpointer asks. */
function afterCommit(): void {
  if (checkpointer === null) return;
  Atomics.add(flags, COMMITS, 1);
  if (Atomics.load(flags, RESTART_WANTED) === 0) return;
  try {
    if (db.checkpointTail()) Atomics.store(flags, RESTART_WANTED, 0);
  } catch {
    // Busy: tried again after the next commit.
  }
}

function commitMerged(first: PackedChangeSet): void {
  const batches = [first];
  let next: WorkerRequest | undefined;
  for (;;) {
    const queued = receiveMessageOnPort(port);
    if (queued === undefined) break;
    next = queued.message as WorkerRequest;
    if (next.type !== 'commit') break;
    batches.push(next.changes);
    next = undefined;
  }
  try {
    const merged = mergeChangeSets(batches.map(unpackChangeSet));
    const started = performance.now();
    db.commit(merged);
    const writeMs = performance.now() - started;
    port.postMessage({ ok: true, count: batches.length, writeMs } satisfies WorkerReply);
    afterCommit();
  } catch (error) {
    port.postMessage({
      ok: false,
      count: batches.length,
      error: errorMessage(error),
    } satisfies WorkerReply);
  }
  // A non-commit request taken off the queue while merging is handled now, in its turn.
  if (next !== undefined) handle(next);
}

/** Stops the checkpointer first: the writer's connection, closed last, checkpoints it all. */
async function close(): Promise<void> {
  const thread = checkpointer;
  checkpointer = null;
  if (thread !== null) {
    const exited = new Promise((resolve) => thread.once('exit', resolve));
    thread.postMessage({ type: 'close' });
    await exited;
  }
  db.close();
}

function handle(request: WorkerRequest): void {
  try {
    switch (request.type) {
      case 'ready':
      case 'reset': // a file does not go away: there is nothing to reconnect
        port.postMessage({ ok: true, count: 1 } satisfies WorkerReply);
        return;
      case 'commit':
        return commitMerged(request.changes);
      case 'close':
        port.off('message', handle);
        void close()
          .then(
            () => port.postMessage({ ok: true, count: 1 } satisfies WorkerReply),
            (error: unknown) =>
              port.postMessage({
                ok: false,
                count: 1,
                error: errorMessage(error),
              } satisfies WorkerReply),
          )
          .finally(() => port.close());
        return;
    }
  } catch (error) {
    port.postMessage({ ok: false, count: 1, error: errorMessage(error) } satisfies WorkerReply);
  }
}

port.on('message', handle);
