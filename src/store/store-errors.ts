// How a store refuses: failures that say something about what was written, which the engine
// acts on differently from a plain outage. Each has a stable code, so that it survives the
// hop from the store's worker thread (a message and a code) as its own class.

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

/**
 * The connection was lost with the commit sent and unanswered: it may or may not be durable.
 * Its requests can be answered neither as done nor as not done.
 */
export class CommitOutcomeUnknown extends Error {
  readonly code = 'COMMIT_OUTCOME_UNKNOWN';
}

type Coded = NotLeader | Fenced | CommitOutcomeUnknown;

/** Rebuilds a failure that crossed a thread as a message and a code. */
export function storeError(code: string | undefined, message: string): Error {
  if (code === 'NOT_LEADER') return new NotLeader(message);
  if (code === 'FENCED') return new Fenced(message);
  if (code === 'COMMIT_OUTCOME_UNKNOWN') return new CommitOutcomeUnknown(message);
  return new Error(message);
}

export function storeErrorCode(error: unknown): Coded['code'] | undefined {
  return error instanceof NotLeader ||
    error instanceof Fenced ||
    error instanceof CommitOutcomeUnknown
    ? error.code
    : undefined;
}
