// The XML listeners' table of failures: the <error> a refused request is answered with, or
// no reply at all where none can be true. One entry per failure a submit can reject with;
// anything else is answered INTERNAL (and logged).

import type { ErrorCode } from '../engine/errors.js';
import { failureCode, type FailureCode } from '../errors/failures.js';

/** `null`: the connection closes without a reply. */
const XML_REPLIES: Partial<Record<FailureCode, ErrorCode | null>> = {
  STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',
  ENGINE_UNAVAILABLE: 'ENGINE_UNAVAILABLE',
  OVERLOADED: 'OVERLOADED',
  // Sent, but its answer was lost with the engine or its store: no reply can be true.
  OUTCOME_UNKNOWN: null,
};

/** The reply's code for a submit's rejection; `undefined` for a failure not in the table. */
export function xmlReplyTo(error: unknown): ErrorCode | null | undefined {
  const code = failureCode(error);
  return code === undefined ? undefined : XML_REPLIES[code];
}
