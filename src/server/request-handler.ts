// One request body in, one reply document out: decode, sequence, encode. Shared by both
// listeners, which differ only in how they frame and how long a connection lives.

import type { Logger } from 'pino';
import { exchangeError } from '../engine/errors.js';
import { decodeRequest } from '../protocol/decode.js';
import { encodeRequestError, encodeResults } from '../protocol/encode.js';
import type { XmlLimits } from '../protocol/xml-tree.js';
import { StoreFailure, type Sequencer } from './sequencer.js';

export type RequestHandler = (body: Buffer) => Promise<string>;

export function createRequestHandler(
  sequencer: Sequencer,
  xmlLimits: XmlLimits,
  log: Logger,
): RequestHandler {
  return async (body) => {
    const decoded = decodeRequest(body, xmlLimits);
    if (!decoded.ok) return encodeRequestError(decoded.error);
    try {
      return encodeResults(await sequencer.submit(decoded.request));
    } catch (error) {
      if (error instanceof StoreFailure)
        return encodeRequestError(exchangeError('STORE_UNAVAILABLE'));
      log.error({ err: error, request: body.toString('utf8', 0, 2048) }, 'request failed');
      return encodeRequestError(exchangeError('INTERNAL'));
    }
  };
}
