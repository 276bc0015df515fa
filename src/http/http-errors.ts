// Every JSON API error: a stable code, a message and an HTTP status. The engine's codes keep
// their catalogue wording (src/engine/errors.ts); this table adds the HTTP layer's own codes
// and gives each code its status, once.

import { ERROR_MESSAGES, type ErrorCode, type ExchangeError } from '../engine/errors.js';
import { failureCode, type FailureCode } from '../errors/failures.js';
import type { ApiError } from './api-types.js';

export const HTTP_ERROR_MESSAGES = {
  BAD_REQUEST: 'The request could not be read',
  HOST_NOT_ALLOWED: 'This server answers only requests addressed to loopback (localhost)',
  NOT_FOUND: 'No such resource',
  METHOD_NOT_ALLOWED: 'Method not allowed for this resource',
  UNAUTHORIZED: 'A valid bearer token is required (Authorization: Bearer <token>)',
  INVALID_JSON: 'The body is not a JSON object of the expected shape',
  UNSUPPORTED_MEDIA_TYPE: 'The body must be application/json',
  BODY_TOO_LARGE: 'The body is too large',
  INVALID_QUERY: 'Invalid query parameter',
  // The WebSocket feed's own refusals, sent as {"type":"error",...} messages.
  INVALID_MESSAGE: 'Invalid feed message',
  TOO_MANY_SUBSCRIPTIONS: 'Too many subscriptions on one connection',
  OUTCOME_UNKNOWN:
    "The store's connection was lost during the commit: the request may or may not have been executed; look the order up before retrying",
} as const;

export type HttpErrorCode = keyof typeof HTTP_ERROR_MESSAGES;

const STATUS: Partial<Record<ErrorCode | HttpErrorCode, number>> = {
  NOT_FOUND: 404,
  HOST_NOT_ALLOWED: 403,
  METHOD_NOT_ALLOWED: 405,
  UNAUTHORIZED: 401,
  UNSUPPORTED_MEDIA_TYPE: 415,
  BODY_TOO_LARGE: 413,
  ACCOUNT_NOT_FOUND: 404,
  SYMBOL_NOT_FOUND: 404,
  ORDER_NOT_FOUND: 404,
  NOT_ORDER_OWNER: 403,
  INSUFFICIENT_FUNDS: 409,
  INSUFFICIENT_SHARES: 409,
  ORDER_NOT_OPEN: 409,
  ACCOUNT_EXISTS: 409,
  INTERNAL: 500,
  STORE_UNAVAILABLE: 503,
  ENGINE_UNAVAILABLE: 503,
  OVERLOADED: 503,
  OUTCOME_UNKNOWN: 503,
};

/** The failures a submit can reject with, as the API's codes (statused by STATUS). */
const HTTP_FAILURES: Partial<Record<FailureCode, ErrorCode | HttpErrorCode>> = {
  STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',
  ENGINE_UNAVAILABLE: 'ENGINE_UNAVAILABLE',
  OVERLOADED: 'OVERLOADED',
  OUTCOME_UNKNOWN: 'OUTCOME_UNKNOWN',
};

/** An error on its way to becoming a JSON reply. */
export class HttpError extends Error {
  constructor(
    readonly code: ErrorCode | HttpErrorCode,
    message: string,
  ) {
    super(message);
  }

  /** Everything not listed is the client's request at fault: 400. */
  get status(): number {
    return STATUS[this.code] ?? 400;
  }

  get body(): ApiError {
    return { error: { code: this.code, message: this.message } };
  }

  static of(error: ExchangeError): HttpError {
    return new HttpError(error.code, error.message);
  }

  static http(code: HttpErrorCode, detail?: string): HttpError {
    const base = HTTP_ERROR_MESSAGES[code];
    return new HttpError(code, detail === undefined ? base : `${base}: ${detail}`);
  }

  /** A submit's rejection as its reply, by HTTP_FAILURES; `undefined` for one not there. */
  static failure(error: unknown): HttpError | undefined {
    const code = failureCode(error);
    const reply = code === undefined ? undefined : HTTP_FAILURES[code];
    if (reply === undefined) return undefined;
    return reply in ERROR_MESSAGES
      ? HttpError.engine(reply as ErrorCode)
      : HttpError.http(reply as HttpErrorCode);
  }

  static engine(code: ErrorCode, detail?: string): HttpError {
    const base = ERROR_MESSAGES[code];
    return new HttpError(code, detail === undefined ? base : `${base}: ${detail}`);
  }
}
