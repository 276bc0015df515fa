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
  return async (body) => {
    const started = performance.now();
    try {
      const decoded = decodeRequest(body, xmlLimits);
      if (!decoded.ok) return refuse(decoded.error, started);
      const results = await submit(decoded.request);
      const reply = encodeResults(results);
      observed?.metrics.answered(observed.listener, decoded.request, results, seconds(started));
      return reply;
    } catch (error) {
      const code = xmlReplyTo(error);
      if (code === null) throw error; // the listener destroys the connection on a rejection
      if (code !== undefined) return refuse(exchangeError(code), started);
      log.error({ err: error, request: body.toString('utf8', 0, 2048) }, 'request failed');
      return refuse(exchangeError('INTERNAL'), started);
    }
  };
}
