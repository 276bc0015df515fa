// Leadership over a shared store: which engine may write to it. Only one engine leads at a
// time; the others (standbys) wait. Leadership is an epoch number in the store, taken in the
// transaction that confirms it, and every commit checks that its epoch is still the current
// one, so an engine that lost leadership without knowing it (paused, cut off) cannot write.

/** Another engine leads the store now: this one may not write and must wait as a standby. */
export class NotLeader extends Error {
  readonly code = 'NOT_LEADER';
}

/**
 * This engine's epoch is no longer the store's: another engine took over while this one was
 * paused or cut off. Nothing of the refused commit was written, and the engine must stop.
 */
export class Fenced extends Error {
  readonly code = 'FENCED';
}

/** The engine that leads the store, as the store records it. */
export interface LeaderRecord {
  readonly epoch: number;
  /** `host:pid` of the engine's process. */
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

/** Rebuilds a failure that crossed a thread as a message and a code. */
export function leadershipError(code: string | undefined, message: string): Error {
  if (code === 'NOT_LEADER') return new NotLeader(message);
  if (code === 'FENCED') return new Fenced(message);
  return new Error(message);
}

export function leadershipCode(error: unknown): string | undefined {
  return error instanceof NotLeader || error instanceof Fenced ? error.code : undefined;
}
