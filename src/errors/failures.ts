// Every way a request can fail without a result from the engine, or a commit without an
// answer from the store: one class each, each with a stable code and its wording, declared
// here once. Boundaries map the codes, one table each: the XML listeners' <error>
// (src/protocol/failure-replies.ts), the HTTP statuses (src/http/http-errors.ts) and the
// gateway link, whose wire word is the code itself (src/link/codec.ts). A failure that
// crosses a thread or a link travels as its code and message and is rebuilt here.

export const FAILURE_MESSAGES = {
  OVERLOADED: 'too many requests are waiting for the store',
  ENGINE_UNAVAILABLE: 'the matching engine is not connected',
  STORE_UNAVAILABLE: 'the store failed to commit',
  OUTCOME_UNKNOWN:
    'the request was in flight when the engine or its store was lost: its outcome is unknown',
  NOT_LEADER: 'another engine leads the store',
  FENCED: "this engine's epoch no longer leads the store",
  COMMIT_OUTCOME_UNKNOWN: 'the connection was lost during the commit',
} as const;

export type FailureCode = keyof typeof FAILURE_MESSAGES;

export abstract class Failure extends Error {
  abstract readonly code: FailureCode;
}

/** A failure class of one code, worded from the table unless a message says more. */
function failureWith<C extends FailureCode>(code: C) {
  return class extends Failure {
    readonly code: C = code;
    constructor(message: string = FAILURE_MESSAGES[code], options?: ErrorOptions) {
      super(message, options);
    }
  };
}

/** The engine has too many requests waiting to be durable: this one was not executed. */
export class Overloaded extends failureWith('OVERLOADED') {}

/** The link to the engine is down: the request was not sent, so it was not executed. */
export class EngineUnavailable extends failureWith('ENGINE_UNAVAILABLE') {}

/** The store failed, so the engine refuses requests until it has recovered: not executed. */
export class StoreFailure extends failureWith('STORE_UNAVAILABLE') {
  static causedBy(cause: unknown): StoreFailure {
    const why = cause instanceof Error ? cause.message : String(cause);
    return new StoreFailure(`${FAILURE_MESSAGES.STORE_UNAVAILABLE}: ${why}`, { cause });
  }
}

/**
 * The request may or may not have been executed: the link to the engine went down with it
 * in flight, or the store's connection was lost during the commit that held it. No reply
 * can be true, so the XML listeners close the connection without one.
 */
export class OutcomeUnknown extends failureWith('OUTCOME_UNKNOWN') {}

// The store's own refusals, which say something about what was written: the engine acts
// on each differently from a plain outage.

/** Another engine leads the store now: this one may not write and must wait as a standby. */
export class NotLeader extends failureWith('NOT_LEADER') {}

/**
 * This engine's epoch is no longer the store's: another engine took over while this one was
 * paused or cut off. Nothing of the refused commit was written, and the engine must stop.
 */
export class Fenced extends failureWith('FENCED') {}

/**
 * The connection was lost with the commit sent and unanswered: it may or may not be durable.
 * Its requests can be answered neither as done nor as not done.
 */
export class CommitOutcomeUnknown extends failureWith('COMMIT_OUTCOME_UNKNOWN') {}

export function failureCode(error: unknown): FailureCode | undefined {
  return error instanceof Failure ? error.code : undefined;
}

const isFailureCode = (code: unknown): code is FailureCode =>
  typeof code === 'string' && Object.hasOwn(FAILURE_MESSAGES, code);

/**
 * Rebuilds a failure that crossed a thread or a link as a code and a message (the message
 * keeps its sender's words); anything else becomes a plain Error.
 */
export function failureFromCode(code: unknown, message: string): Error {
  return isFailureCode(code) ? new REBUILD[code](message) : new Error(message);
}

const REBUILD: Record<FailureCode, new (message: string) => Failure> = {
  OVERLOADED: Overloaded,
  ENGINE_UNAVAILABLE: EngineUnavailable,
  STORE_UNAVAILABLE: StoreFailure,
  OUTCOME_UNKNOWN: OutcomeUnknown,
  NOT_LEADER: NotLeader,
  FENCED: Fenced,
  COMMIT_OUTCOME_UNKNOWN: CommitOutcomeUnknown,
};
