// At open, in the SQLite writer's thread: the change journal's records that a crash left ahead
// of the rows are written into them, and the journal removed (change-journal.ts).

import { deserialize } from 'node:v8';
import { emptyChangeSet } from '../engine/changes.js';
import { unpackChangeSet, type PackedChangeSet } from './change-set-codec.js';
import { readJournal, removeJournalFiles } from './change-journal.js';
import { mergeChangeSets } from './merge.js';
import type { SqliteDatabase } from './sqlite-database.js';

/** Records written again per transaction at start. */
const CATCH_UP_GROUP = 512;

export interface JournalStart {
  /** The number the next record gets. */
  readonly nextSeq: number;
  /** The newest journal file there was (removed now): the next one is numbered after it. */
  readonly lastFile: string | undefined;
}

/**
 * Writes into the rows every journal record they do not hold yet, makes the rows durable,
 * and removes the journal's files.
 */
export function catchUpJournal(db: SqliteDatabase, path: string): JournalStart {
  if (path === ':memory:') return { nextSeq: 1, lastFile: undefined };
  const { files, records } = readJournal(path);
  const held = db.journalSeq();
  const behind = records.filter((r) => r.seq > held);
  behind.forEach((record, i) => {
    if (record.seq !== held + 1 + i) {
      throw new Error(
        `the change journal of ${path} has record ${record.seq} where ${held + 1 + i} was due (the database holds up to ${held}): records are missing, so it is not applied; restore the file from a backup`,
      );
    }
  });
  for (let i = 0; i < behind.length; i += CATCH_UP_GROUP) {
    const group = behind.slice(i, i + CATCH_UP_GROUP);
    const changes = group.map((r) => unpackChangeSet(deserialize(r.payload) as PackedChangeSet));
    db.commit(mergeChangeSets(changes), group.at(-1)!.seq, i + CATCH_UP_GROUP >= behind.length);
  }
  // Rows of records the database already held may not be fsynced yet: they are, before the
  // records go.
  if (behind.length === 0 && files.length > 0) db.commit(emptyChangeSet(), held, true);
  removeJournalFiles(files);
  return { nextSeq: (behind.at(-1)?.seq ?? held) + 1, lastFile: files.at(-1) };
}
