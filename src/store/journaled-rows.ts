// The SQLite writer's thread with the change journal: a group of batches is acknowledged once
// its records are appended (change-journal.ts), and its rows wait, to be written with the
// groups after it in one transaction, without an fsync of their own. A commit of rows per
// group cost a transaction and every page it touched written to the WAL, for a group of one
// to a few requests under a classic load; written together, a page touched by many groups is
// written once.

import { deserialize } from 'node:v8';
import type { ChangeSet } from '../engine/changes.js';
import { emptyChangeSet } from '../engine/changes.js';
import { unpackChangeSet, type PackedChangeSet } from './change-set-codec.js';
import { removeJournalFiles, type ChangeJournal } from './change-journal.js';
import { mergeChangeSets } from './merge.js';
import type { SqliteDatabase } from './sqlite-database.js';

/** Batches whose rows wait at most, and for at most this long: the rows lag no further. */
export const ROWS_BATCHES = 256;
export const ROWS_DELAY_MS = 10;

export class JournaledRows {
  /** Batches appended whose rows are not written yet, serialized as the journal holds them. */
  private pending: Uint8Array[] = [];
  /** The journal record of the last pending batch (or of the last rows written). */
  private seq: number;
  private timer: NodeJS.Timeout | null = null;
  /**
   * Set when an append or rows failed: what the journal holds is written at the next start;
   * until then nothing more is accepted.
   */
  failure: string | null = null;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly journal: ChangeJournal,
    /** After each transaction of rows (the checkpointer counts them). */
    private readonly afterRows: () => void,
  ) {
    this.seq = journal.lastSeq;
  }

  /**
   * Makes the batches durable: one journal append. Throws if it failed, when part of it may
   * be on disk (the next start would write it): its outcome is unknown.
   */
  append(batches: readonly Uint8Array[]): void {
    try {
      this.seq = this.journal.append(batches);
    } catch (error) {
      this.failure = `the change journal failed: ${error instanceof Error ? error.message : String(error)}`;
      throw new Error(this.failure);
    }
    for (const b of batches) this.pending.push(b);
  }

  /**
   * After the reply: writes the pending rows if enough wait, or once the journal's file is
   * full (durably, then the file goes); else within ROWS_DELAY_MS.
   */
  settle(): void {
    if (this.journal.full) {
      this.writeRows(true);
      if (this.failure === null) removeJournalFiles([this.journal.rotate()]);
    } else if (this.pending.length >= ROWS_BATCHES) {
      this.writeRows(false);
    } else {
      this.timer ??= setTimeout(() => this.writeRows(false), ROWS_DELAY_MS);
    }
  }

  /** Writes every pending row now; `durable`: fsynced, with every row before them. */
  writeRows(durable: boolean): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.failure !== null) return;
    if (this.pending.length === 0 && !durable) return;
    const batches: ChangeSet[] = this.pending.map((bytes) =>
      unpackChangeSet(deserialize(bytes) as PackedChangeSet),
    );
    this.pending = [];
    try {
      this.db.commit(
        batches.length === 0 ? emptyChangeSet() : mergeChangeSets(batches),
        this.seq,
        durable,
      );
      this.afterRows();
    } catch (error) {
      this.failure = `writing journaled rows failed (the journal keeps them for the next start): ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  /** A clean close: every row written and durable, then the journal removed. */
  close(): void {
    this.writeRows(true);
    const file = this.journal.close();
    if (this.failure === null) removeJournalFiles([file]);
  }
}
