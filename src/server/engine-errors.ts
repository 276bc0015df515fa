// How a submit fails without a result: the engine is across a link that is down, it sheds
// load, or the request's fate was lost with a connection.

/** The engine has too many requests waiting to be durable: this one was not executed. */
export class Overloaded extends Error {
  constructor() {
    super('too many requests are waiting for the store');
  }
}

/** The link to the engine is down: the request was not sent, so it was not executed. */
export class EngineUnavailable extends Error {
  constructor() {
    super('the matching engine is not connected');
  }
}

/**
 * The request may or may not have been executed: the link to the engine went down with it
 * in flight, or the store's connection was lost during the commit that held it. No reply
 * can be true, so the XML listeners close the connection without one.
 */
export class OutcomeUnknown extends Error {
  constructor() {
    super(
      'the request was in flight when the engine or its store was lost: its outcome is unknown',
    );
  }
}
