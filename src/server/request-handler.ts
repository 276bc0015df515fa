// One request body in, one reply document out: decode, submit to the engine (in this process
// or across a link), encode. Shared by both listeners, which differ only in how they frame
// and how long a connection lives.

import type { Logger } from 'pino';
import type { Request, Result } from '../engine/commands.js';
import { exchangeError, type ExchangeError } from '../engine/errors.js';
import { decodeRequest } from '../protocol/decode.js';
import { encodeRequestError, encodeResults } from '../protocol/encode.js';
import { xmlReplyTo } from '../protocol/failure-replies.js';
import type { XmlLimits } from '../protocol/xml-tree.js';
import type { ListenerKind, ListenerMetrics } from '../metrics/listener-metrics.js';

export type RequestHandler = (body: Buffer) => Promise<string>;

/** Applies one request and resolves with its results once they are durable. */
export type Submit = (request: Request) => Promise<Result[]>;

/** Where a handler reports what it answered, and for which listener. */
export interface HandlerMetrics {
  readonly metrics: ListenerMetrics;
  readonly listener: ListenerKind;
}

export function createRequestHandler(
  submit: Submit,
  xmlLimits: XmlLimits,
  log: Logger,
  observed?: HandlerMetrics,
): RequestHandler {
  const seconds = (started: number): number => (performance.now() - started) / 1000;
  const refuse = (error: ExchangeError, started: number): string => {
    observed?.metrics.refused(observed.listener, error, seconds(started));
    return encodeRequestError(error);
  };
  const failed = (error: unknown, body: Buffer, started: number): string => {
    const code = xmlReplyTo(error);
    if (code === null) throw error; // the listener destroys the connection on a rejection
    if (code !== undefined) return refuse(exchangeError(code), started);
    log.error({ err: error, request: body.toString('utf8', 0, 2048) }, 'request failed');
    return refuse(exchangeError('INTERNAL'), started);
  };
  // Promise steps written out rather than an async function, whose frame and awaited promise
  // were made for every request.
  return (body) => {
    const started = performance.now();
    let request: Request;
    let submitted: Promise<Result[]>;
    try {
      const decoded = decodeRequest(body, xmlLimits);
      if (!decoded.ok) return Promise.resolve(refuse(decoded.error, started));
      request = decoded.request;
      submitted = submit(request);
    } catch (error) {
      return settle(() => failed(error, body, started));
    }
    return submitted.then(
      (results) => {
        try {
          const reply = encodeResults(results);
          observed?.metrics.answered(observed.listener, request, results, seconds(started));
          return reply;
        } catch (error) {
          return failed(error, body, started);
        }
      },
      (error: unknown) => failed(error, body, started),
    );
  };
}

/** The reply `answer` gives, or the rejection it throws, as a promise. */
function settle(answer: () => string): Promise<string> {
  try {
    return Promise.resolve(answer());
  } catch (error) {
    return Promise.reject(error as Error);
  }
}
