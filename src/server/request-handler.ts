// One request body in, one reply document out: decode, submit to the engine (in this process
// or across a link), encode. Shared by both listeners, which differ only in how they frame
// and how long a connection lives.

import type { Logger } from 'pino';
import type { Request, Result } from '../engine/commands.js';
import { exchangeError } from '../engine/errors.js';
import { decodeRequest } from '../protocol/decode.js';
import { encodeRequestError, encodeResults } from '../protocol/encode.js';
import type { XmlLimits } from '../protocol/xml-tree.js';
import { EngineUnavailable, OutcomeUnknown, Overloaded } from './engine-errors.js';
import { StoreFailure } from './sequencer.js';

export type RequestHandler = (body: Buffer) => Promise<string>;

/** Applies one request and resolves with its results once they are durable. */
export type Submit = (request: Request) => Promise<Result[]>;

export function createRequestHandler(
  submit: Submit,
  xmlLimits: XmlLimits,
  log: Logger,
): RequestHandler {
  return async (body) => {
    try {
      const decoded = decodeRequest(body, xmlLimits);
      if (!decoded.ok) return encodeRequestError(decoded.error);
      return encodeResults(await submit(decoded.request));
    } catch (error) {
      if (error instanceof StoreFailure)
        return encodeRequestError(exchangeError('STORE_UNAVAILABLE'));
      if (error instanceof EngineUnavailable)
        return encodeRequestError(exchangeError('ENGINE_UNAVAILABLE'));
      if (error instanceof Overloaded) return encodeRequestError(exchangeError('OVERLOADED'));
      // Sent, but its answer was lost with the engine: no reply can be true, so the
      // connection closes without one (the listener destroys it on a rejection).
      if (error instanceof OutcomeUnknown) throw error;
      log.error({ err: error, request: body.toString('utf8', 0, 2048) }, 'request failed');
      return encodeRequestError(exchangeError('INTERNAL'));
    }
  };
}
