// Leadership over a shared store: which engine may write to it. Only one engine leads at a
// time; the others (standbys) wait. Leadership is an epoch number in the store, taken in the
// transaction that confirms it, and every commit checks that its epoch is still the current
// one, so an engine that lost leadership without knowing it (paused, cut off) cannot write.

/**
 * A leader whose session is still open but who has not written for this long is taken over
 * (a paused process, a long stall, a network cut that the server has not noticed yet). Long
 * enough that a garbage-collection pause or a slow commit on a loaded 2-core machine does
 * not cost a takeover; a dead process is taken over at once, through its ended session. An
 * engine whose store has failed for this long may have been replaced, and stops presenting
 * itself as the leader.
 */
export const LEASE_MS = 2_000;

/** The engine that leads the store, as the store records it. */
export interface LeaderRecord {
  readonly epoch: number;
  /** `host:pid/tag`: the engine's process, and which of its stores. */
  readonly holder: string | null;
  /** Milliseconds since its last commit or heartbeat. */
  readonly heartbeatAgeMs: number | null;
}

/** How an engine asks for leadership when its store is opened. */
export type LeadershipMode =
  /** Take it if nobody live holds it, else refuse to start (NotLeader). */
  | 'lead'
  /** Wait until nobody live holds it, then take it. */
  | 'standby';
