// The SQLite store's thread: owns the database connection, so fsyncs and checkpoints never
// block the event loop that serves sockets and runs the engine. Commits that queue up while
// one is being written are merged into the next transaction: one fsync for all of them.

import {
  parentPort,
  receiveMessageOnPort,
  workerData,
  type MessagePort,
} from 'node:worker_threads';
import type { ChangeSet } from '../engine/changes.js';
import { mergeChangeSets } from './merge.js';
import { SqliteDatabase, type SyncMode } from './sqlite-database.js';
import { errorMessage, type WorkerReply, type WorkerRequest } from './store-worker.js';

const { path, sync } = workerData as { path: string; sync: SyncMode };
const port: MessagePort = parentPort!;

let db: SqliteDatabase;
try {
  db = await SqliteDatabase.open(path, sync);
} catch (error) {
  port.postMessage({ ok: false, count: 1, error: errorMessage(error) } satisfies WorkerReply);
  process.exit(1);
}

function commitMerged(first: ChangeSet): void {
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
    db.commit(mergeChangeSets(batches));
    port.postMessage({ ok: true, count: batches.length } satisfies WorkerReply);
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
        db.close();
        port.postMessage({ ok: true, count: 1 } satisfies WorkerReply);
        port.close();
        return;
    }
  } catch (error) {
    port.postMessage({ ok: false, count: 1, error: errorMessage(error) } satisfies WorkerReply);
  }
}

port.on('message', handle);
