// The SQLite store's checkpointer: a thread of its own, with a connection of its own, that
// copies committed pages from the WAL back into the database file (a PASSIVE checkpoint:
// it never blocks the writer, nor waits for it). The writer's connection does not
// checkpoint by itself (wal_autocheckpoint = 0), so a commit no longer writes ~1,000 pages
// into the database file and fsyncs it in line, every thousand pages of WAL, while the
// replies of the groups behind it wait.
//
// Durability is the writer's: a commit is acknowledged once the WAL is fsynced, whoever
// checkpoints it later. A checkpoint fsyncs the WAL before copying and the database file
// after, at the writer's synchronous level, before SQLite lets the WAL be reused.
//
// The WAL is reused from its start (restarted) only by a write transaction that begins when
// every frame has been checkpointed. Under steady load the writer appends while this thread
// copies, so that never happens by itself: once the WAL holds RESTART_FRAMES frames, this
// thread asks the writer (a shared flag) to checkpoint the few frames left itself, between
// two commits, after which its next transaction starts the WAL over.

import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { SyncMode } from './sqlite-database.js';

/** How often this thread looks for committed frames to copy. */
export const CHECKPOINT_INTERVAL_MS = 100;
/** WAL frames (pages) after which the writer is asked to let the WAL start over. */
export const RESTART_FRAMES = 4_000;

// The flags shared by the writer and this thread: an Int32Array over a SharedArrayBuffer.
/** Commits since this thread last looked: the writer adds, this thread takes. */
export const COMMITS = 0;
/** 1: the WAL is long and copied but for a tail; the writer checkpoints that tail. */
export const RESTART_WANTED = 1;
export const CHECKPOINT_FLAG_BYTES = 2 * Int32Array.BYTES_PER_ELEMENT;

interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

/** A PASSIVE checkpoint on `db`: every frame it could copy without waiting. */
export function passiveCheckpoint(db: Database.Database): CheckpointResult {
  return (db.pragma('wal_checkpoint(PASSIVE)') as CheckpointResult[])[0]!;
}

// Run as the checkpointer thread (started by the SQLite writer's thread).
if (parentPort !== null && (workerData as { checkpointer?: boolean } | null)?.checkpointer) {
  const { path, sync, flags } = workerData as {
    path: string;
    sync: SyncMode;
    flags: SharedArrayBuffer;
  };
  const shared = new Int32Array(flags);
  const port: MessagePort = parentPort;
  const db = new Database(path, { fileMustExist: true });
  // The sync level decides the checkpoint's fsyncs: the writer's own.
  db.pragma(`synchronous = ${sync === 'full' ? 'FULL' : 'NORMAL'}`);
  db.pragma('wal_autocheckpoint = 0');
  const timer = setInterval(() => {
    if (Atomics.exchange(shared, COMMITS, 0) === 0) return;
    try {
      const { log } = passiveCheckpoint(db);
      if (log >= RESTART_FRAMES) Atomics.store(shared, RESTART_WANTED, 1);
    } catch {
      // Busy or failed: the next look tries again; the writer's commits do not depend on it.
    }
  }, CHECKPOINT_INTERVAL_MS);
  port.on('message', (message: { type: 'close' }) => {
    if (message.type !== 'close') return;
    clearInterval(timer);
    db.close();
    port.close();
  });
}
