// How a submit fails without a result: the engine is across a link that is down, or it
// sheds load.

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

/** The link went down after the request was sent: it may or may not have been executed. */
export class OutcomeUnknown extends Error {
  constructor() {
    super('the link to the matching engine was lost with the request in flight');
  }
}
