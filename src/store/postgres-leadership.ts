// Leadership on PostgreSQL: one row (`leadership`) holds the epoch, the leader's identity,
// its writer session's backend pid and its last heartbeat. An engine takes over in one
// UPDATE that bumps the epoch, and only when the row's leader is gone: its session has
// ended (the process died, or its connection did), or it has not written for a lease, or it
// is this very engine back on a new session (the old one, if PostgreSQL has not noticed it
// is gone, is fenced like any other). Every group commit and every heartbeat updates the row WHERE the epoch is still its own, so a
// leader that was paused or cut off while another took over writes nothing: its commit
// finds no row and fails as a whole. The row lock makes the two orderings safe: a commit
// that holds it finishes before a takeover can bump the epoch; a takeover that committed
// first is seen by the commit's re-check (READ COMMITTED re-evaluates an updated row).

import type pg from 'pg';
import { LEASE_MS, type LeaderRecord } from './leadership.js';
import { Fenced } from '../errors/failures.js';

/** A leader refreshes its heartbeat this often when no commit has done it. */
export const HEARTBEAT_MS = 250;

/** A standby checks the row this often. */
export const STANDBY_POLL_MS = 100;

/** The SQLSTATE of a fenced commit (a code of our own, raised by exchange_require_epoch). */
export const FENCED_SQLSTATE = 'EXF01';

/** Migration 3 (see postgres-schema.ts). */
export const LEADERSHIP_MIGRATION = `
  CREATE TABLE leadership (
    singleton     boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    epoch         bigint NOT NULL,
    holder        text,
    backend_pid   integer,
    since         timestamptz,
    heartbeat_at  timestamptz
  );
  INSERT INTO leadership (epoch) VALUES (0);

  -- Fails the whole statement that calls it unless its epoch's row was found and updated.
  CREATE FUNCTION exchange_require_epoch(updated bigint, epoch bigint) RETURNS integer
  LANGUAGE plpgsql AS $$
  BEGIN
    IF updated <> 1 THEN
      RAISE EXCEPTION 'fenced: epoch % no longer leads this exchange; nothing was written', epoch
        USING ERRCODE = '${FENCED_SQLSTATE}';
    END IF;
    RETURN 1;
  END $$;
`;

/**
 * The CTE a fenced group commit adds: the epoch's row, refreshed. `$N` is the epoch
 * parameter's position.
 */
export const fenceCte = (param: string): string =>
  `leader AS (UPDATE leadership SET heartbeat_at = clock_timestamp() WHERE epoch = ${param} RETURNING 1)`;

/** The final SELECT of a fenced group commit: raises FENCED_SQLSTATE unless the CTE updated. */
export const fenceCheck = (param: string): string =>
  `SELECT exchange_require_epoch((SELECT count(*) FROM leader), ${param})`;

const TAKE_OVER = `
UPDATE leadership
SET epoch = epoch + 1, holder = $1, backend_pid = pg_backend_pid(),
    since = clock_timestamp(), heartbeat_at = clock_timestamp()
WHERE backend_pid IS NULL
   OR holder = $1
   OR heartbeat_at < clock_timestamp() - make_interval(secs => $2::float8 / 1000)
   OR NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = leadership.backend_pid)
RETURNING epoch`;

/** Takes leadership if nobody live holds it; the new epoch, or null. */
export async function takeLeadership(
  db: pg.Client,
  holder: string,
  leaseMs = LEASE_MS,
): Promise<number | null> {
  const { rows } = await db.query<{ epoch: string }>(TAKE_OVER, [holder, leaseMs]);
  return rows[0] === undefined ? null : Number(rows[0].epoch);
}

/** Refreshes the heartbeat; Fenced when the epoch is no longer the store's. */
export async function heartbeat(db: pg.Client, epoch: number): Promise<void> {
  const result = await db.query(
    'UPDATE leadership SET heartbeat_at = clock_timestamp() WHERE epoch = $1',
    [epoch],
  );
  if (result.rowCount !== 1) throw fencedError(epoch);
}

/** Gives leadership up (a clean stop): a standby takes over at its next look. */
export async function releaseLeadership(db: pg.Client, epoch: number): Promise<void> {
  await db.query('UPDATE leadership SET backend_pid = NULL WHERE epoch = $1', [epoch]);
}

export async function readLeader(db: pg.Client): Promise<LeaderRecord> {
  const { rows } = await db.query<{ epoch: string; holder: string | null; age: number | null }>(
    `SELECT epoch, holder,
            (extract(epoch FROM clock_timestamp() - heartbeat_at) * 1000)::float8 AS age
     FROM leadership`,
  );
  const row = rows[0]!;
  return {
    epoch: Number(row.epoch),
    holder: row.holder,
    heartbeatAgeMs: row.age === null ? null : Math.round(row.age),
  };
}

export const fencedError = (epoch: number): Fenced =>
  new Fenced(`fenced: epoch ${epoch} no longer leads this exchange; nothing was written`);

/** A failed statement as Fenced when the fence refused it, else as it was. */
export function asFenced(error: unknown, epoch: number): unknown {
  return (error as { code?: string }).code === FENCED_SQLSTATE ? fencedError(epoch) : error;
}
