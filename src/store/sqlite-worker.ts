// The SQLite store's thread: owns the database connection, so its writes and fsyncs never
// block the event loop that serves sockets and runs the engine. Commits that queue up while
// one is being written are merged into the next transaction. Without the change journal that
// transaction is what makes them durable (one fsync for all); with it, the engine's thread
// has made them durable already and the rows follow without an fsync of their own
// (change-journal.ts). Checkpoints run in a thread of their own (sqlite-checkpointer.ts), not
// in line with a commit.

import {
  parentPort,
  receiveMessageOnPort,
  workerData,
  type MessagePort,
  type Worker,
} from 'node:worker_threads';
import { unpackChangeSet, type PackedChangeSet } from './change-set-codec.js';
import { mergeChangeSets } from './merge.js';
import { SqliteDatabase, type CommitMode, type SyncMode } from './sqlite-database.js';
import { CHECKPOINT_FLAG_BYTES, COMMITS, RESTART_WANTED } from './sqlite-checkpointer.js';
import { catchUpJournal } from './sqlite-journal-replay.js';
import { ChangeJournal } from './change-journal.js';
import { JournaledRows } from './journaled-rows.js';
import { errorMessage, startWorker, type WorkerReply, type WorkerRequest } from './store-worker.js';

const { path, sync, commitMode } = workerData as {
  path: string;
  sync: SyncMode;
  commitMode: CommitMode;
};
const port: MessagePort = parentPort!;
const journaled = commitMode === 'journal' && path !== ':memory:';

let db: SqliteDatabase;
let journal: ChangeJournal | null = null;
try {
  db = await SqliteDatabase.open(path, sync, journaled ? 'journal' : 'rows');
  // Whatever a crash left in the journal goes into the rows first, whichever mode runs now.
  const { nextSeq, lastFile } = catchUpJournal(db, path);
  if (journaled) journal = new ChangeJournal(path, nextSeq, lastFile, sync === 'full');
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

/** The rows behind the journal; null without it. */
const journaledRows = journal === null ? null : new JournaledRows(db, journal, afterCommit);

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

/** Packed, or serialized (v8) for the change journal, which keeps it so. */
type Changes = PackedChangeSet | Uint8Array;

function commitMerged(first: Changes): void {
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
  const count = batches.length;
  if (journaledRows === null) {
    try {
      db.commit(mergeChangeSets(batches.map((b) => unpackChangeSet(b as PackedChangeSet))));
      port.postMessage({ ok: true, count } satisfies WorkerReply);
      afterCommit();
    } catch (error) {
      port.postMessage({ ok: false, count, error: errorMessage(error) } satisfies WorkerReply);
    }
  } else {
    commitJournaled(journaledRows, batches as Uint8Array[]);
  }
  // A non-commit request taken off the queue while merging is handled now, in its turn.
  if (next !== undefined) handle(next);
}

/** Acknowledged once appended to the journal; the rows are written after the reply. */
function commitJournaled(rows: JournaledRows, batches: Uint8Array[]): void {
  const count = batches.length;
  if (rows.failure !== null) {
    port.postMessage({ ok: false, count, error: rows.failure } satisfies WorkerReply);
    return;
  }
  try {
    rows.append(batches);
  } catch (error) {
    // Part of it may have reached the disk, and would be written at the next start.
    const reply = { ok: false, count, error: errorMessage(error) } as const;
    port.postMessage({ ...reply, code: 'COMMIT_OUTCOME_UNKNOWN' } satisfies WorkerReply);
    return;
  }
  port.postMessage({ ok: true, count } satisfies WorkerReply);
  rows.settle();
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
  journaledRows?.close();
  db.close();
}

function handle(request: WorkerRequest): void {
  try {
    switch (request.type) {
      case 'ready':
      case 'reset': // a file does not go away: there is nothing to reconnect
        // Answered once every earlier commit's rows are written: a read behind it finds them.
        journaledRows?.writeRows(false);
        if (journaledRows?.failure) throw new Error(journaledRows.failure);
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
