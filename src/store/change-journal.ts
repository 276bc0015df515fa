// The SQLite store's change journal: an append-only file of batches' changes, each a record
// the writer's thread appends and fdatasyncs before the batch is acknowledged. The rows are
// written behind it, without an fsync of their own; after a crash the records the rows do not
// hold yet are written again at start (the database keeps the number of the last one it
// holds). A record is a few hundred bytes and one fdatasync, where a group's rows are pages of
// several tables and indexes in the WAL, fsynced: the reply waits for the journal only.
//
// Files: `<db>.changes.<n>`, written one at a time. Once the rows of every record in the
// current file are durable in the database (a commit with an fsync of its own), the file is
// removed and the next one started, so the journal stays short and a clean close leaves none.
//
// A file starts with MAGIC and FORMAT. A record: payload length (u32), CRC-32 of the number
// and the payload (u32), the record's number (f64, whole), then the payload. A record cut
// short or damaged ends its file: it was never acknowledged (the reply waits for the
// fdatasync after the whole record).

import {
  closeSync,
  constants,
  fsyncSync,
  openSync,
  readdirSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { crc32 } from 'node:zlib';

const MAGIC = 0x4a584545; // "EEXJ" read little-endian
/** Bumped whenever the payload's layout (change-set-codec.ts, v8 serialization) changes. */
export const JOURNAL_FORMAT = 1;
const FILE_HEADER = 8;
const RECORD_HEADER = 16;
/**
 * A file's size, written with zeros when it is started: an append then overwrites blocks the
 * file has, and its fdatasync need not log a new size or new blocks (a third less time here,
 * bench/journal-append.ts). Once it is full, the next file is started (its rows durable first).
 */
export const DEFAULT_FILE_BYTES = 16 * 1024 * 1024;

export interface JournalRecord {
  readonly seq: number;
  readonly payload: Uint8Array;
}

export interface JournalContents {
  /** The journal's files, oldest first. */
  readonly files: readonly string[];
  /** Every whole record, in order. */
  readonly records: readonly JournalRecord[];
}

const FILE_PATTERN = /^(.*)\.changes\.(\d+)$/;

/** The journal files of the database at `dbPath`, oldest first. */
export function journalFiles(dbPath: string): string[] {
  const dir = dirname(dbPath);
  const prefix = basename(dbPath);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .map((name) => FILE_PATTERN.exec(name))
    .filter((m): m is RegExpExecArray => m !== null && m[1] === prefix)
    .map((m) => ({ name: m[0], n: Number(m[2]) }))
    .sort((a, b) => a.n - b.n)
    .map((f) => join(dir, f.name));
}

/** Reads every whole record of the journal of the database at `dbPath`. */
export function readJournal(dbPath: string): JournalContents {
  const files = journalFiles(dbPath);
  const records: JournalRecord[] = [];
  for (const file of files) records.push(...readJournalFile(file));
  return { files, records };
}

function readJournalFile(file: string): JournalRecord[] {
  const bytes = readFileSync(file);
  if (bytes.length < FILE_HEADER) return [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw new Error(`${file} is not a change journal`);
  const format = view.getUint32(4, true);
  if (format !== JOURNAL_FORMAT) {
    throw new Error(
      `${file} is a change journal of format ${format}; this version reads ${JOURNAL_FORMAT}: start the version that wrote it once, and stop it cleanly, to apply it`,
    );
  }
  const records: JournalRecord[] = [];
  let at = FILE_HEADER;
  while (at + RECORD_HEADER <= bytes.length) {
    const length = view.getUint32(at, true);
    // The zeros the file was started with: no record was written here.
    if (length === 0) break;
    const end = at + RECORD_HEADER + length;
    if (end > bytes.length) break;
    const checked = bytes.subarray(at + 8, end);
    if (crc32(checked) !== view.getUint32(at + 4, true)) break;
    records.push({
      seq: view.getFloat64(at + 8, true),
      payload: bytes.subarray(at + RECORD_HEADER, end),
    });
    at = end;
  }
  return records;
}

/**
 * The journal's current file, appended to by the SQLite writer's thread. The file is opened
 * with O_DSYNC: one write is one durable append (a write and an fdatasync in one call).
 */
export class ChangeJournal {
  private fd: number;
  private file = '';
  private bytes = 0;
  private nextSeq: number;
  private fileNumber: number;

  /**
   * Starts a new file after `lastFile` (or the first one), whose first record will be
   * `nextSeq`. Earlier files are the caller's to remove.
   */
  constructor(
    private readonly dbPath: string,
    nextSeq: number,
    lastFile: string | undefined,
    /** Off: an acknowledged record survives a crash of the process, not a power loss. */
    private readonly durable: boolean,
    private readonly fileBytes = DEFAULT_FILE_BYTES,
  ) {
    this.nextSeq = nextSeq;
    this.fileNumber = lastFile === undefined ? 1 : Number(FILE_PATTERN.exec(lastFile)![2]) + 1;
    this.fd = this.startFile();
  }

  /** The number of the last record appended. */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  /** Whether the current file is long enough to move on from. */
  get full(): boolean {
    return this.bytes >= this.fileBytes;
  }

  /** Appends one record per payload, numbered in order, durably; returns the last number. */
  append(payloads: readonly Uint8Array[]): number {
    const out = encodeRecords(payloads, this.nextSeq);
    this.nextSeq += payloads.length;
    let at = 0;
    while (at < out.length) {
      at += writeSync(this.fd, out, at, out.length - at, this.bytes + at);
    }
    this.bytes += out.length;
    return this.lastSeq;
  }

  /**
   * Starts the next file. The caller has made every record so far durable in the database
   * first, and removes the file returned.
   */
  rotate(): string {
    const full = this.close();
    this.fileNumber++;
    this.fd = this.startFile();
    return full;
  }

  /** Closes the current file and returns it, for the caller to remove. */
  close(): string {
    closeSync(this.fd);
    return this.file;
  }

  private startFile(): number {
    this.file = `${this.dbPath}.changes.${this.fileNumber}`;
    const flags =
      constants.O_WRONLY |
      constants.O_CREAT |
      constants.O_EXCL |
      (this.durable ? constants.O_DSYNC : 0);
    const fd = openSync(this.file, flags & ~constants.O_DSYNC, 0o644);
    try {
      const zeros = Buffer.alloc(1024 * 1024);
      for (let at = 0; at < this.fileBytes; at += zeros.length) {
        writeSync(fd, zeros, 0, Math.min(zeros.length, this.fileBytes - at), at);
      }
      const header = Buffer.alloc(FILE_HEADER);
      header.writeUInt32LE(MAGIC, 0);
      header.writeUInt32LE(JOURNAL_FORMAT, 4);
      writeSync(fd, header, 0, header.length, 0);
      if (this.durable) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.bytes = FILE_HEADER;
    // The file's name must be durable before any record in it is acknowledged.
    if (this.durable) syncDirectory(dirname(this.file));
    return openSync(this.file, flags & ~(constants.O_CREAT | constants.O_EXCL), 0o644);
  }
}

/** Records numbered from `firstSeq`, one after another. */
function encodeRecords(payloads: readonly Uint8Array[], firstSeq: number): Buffer {
  let size = 0;
  for (const p of payloads) size += RECORD_HEADER + p.length;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  let seq = firstSeq;
  for (const payload of payloads) {
    out.writeUInt32LE(payload.length, at);
    out.writeDoubleLE(seq++, at + 8);
    out.set(payload, at + RECORD_HEADER);
    out.writeUInt32LE(crc32(out.subarray(at + 8, at + RECORD_HEADER + payload.length)), at + 4);
    at += RECORD_HEADER + payload.length;
  }
  return out;
}

/** Removes journal files, durably (their rows are in the database by now). */
export function removeJournalFiles(files: readonly string[]): void {
  if (files.length === 0) return;
  for (const file of files) unlinkSync(file);
  syncDirectory(dirname(files[0]!));
}

function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
