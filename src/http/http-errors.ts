// Every JSON API error: a stable code, a message and an HTTP status. The engine's codes keep
// their catalogue wording (src/engine/errors.ts); this module adds the HTTP layer's own codes
// and gives each code the API can answer its status, once: the OpenAPI document lists the
// codes from this table, so it cannot drift from what the server answers.

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

/**
 * Every code an HTTP reply can carry, with its status. The engine's codes that only the XML
 * protocol can produce (framing, XML parsing, creating accounts and symbols) are not here.
 */
export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  INVALID_JSON: 400,
  INVALID_QUERY: 400,
  INVALID_ACCOUNT_ID: 400,
  INVALID_ORDER_ID: 400,
  INVALID_SYMBOL: 400,
  INVALID_NUMBER: 400,
  TOO_MANY_DECIMALS: 400,
  NUMBER_TOO_LARGE: 400,
  ZERO_AMOUNT: 400,
  NON_POSITIVE_LIMIT: 400,
  MISSING_ATTRIBUTE: 400,
  INVALID_ORDER_TYPE: 400,
  INVALID_TIF: 400,
  INVALID_STP: 400,
  NON_POSITIVE_STOP: 400,
  MARKET_WITH_LIMIT: 400,
  UNSUPPORTED_COMBINATION: 400,
  NON_POSITIVE_AMEND: 400,
  UNAUTHORIZED: 401,
  HOST_NOT_ALLOWED: 403,
  NOT_ORDER_OWNER: 403,
  NOT_FOUND: 404,
  ACCOUNT_NOT_FOUND: 404,
  SYMBOL_NOT_FOUND: 404,
  ORDER_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  INSUFFICIENT_FUNDS: 409,
  INSUFFICIENT_SHARES: 409,
  ORDER_NOT_OPEN: 409,
  // The request was well formed; the order's state refuses it.
  AMEND_UP: 409,
  NOTHING_TO_AMEND: 409,
  STOP_WAITING: 409,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  INTERNAL: 500,
  STORE_UNAVAILABLE: 503,
  ENGINE_UNAVAILABLE: 503,
  OVERLOADED: 503,
  OUTCOME_UNKNOWN: 503,
} as const satisfies Partial<Record<ErrorCode | HttpErrorCode, number>>;

export type ApiErrorCode = keyof typeof ERROR_STATUS;

/** Codes only a request with a body can get, and only a route behind the token. */
export const BODY_ERRORS: readonly ApiErrorCode[] = [
  'INVALID_JSON',
  'UNSUPPORTED_MEDIA_TYPE',
  'BODY_TOO_LARGE',
];
export const AUTH_ERRORS: readonly ApiErrorCode[] = ['UNAUTHORIZED'];

function messageOf(code: ErrorCode | HttpErrorCode): string {
  return code in HTTP_ERROR_MESSAGES
    ? HTTP_ERROR_MESSAGES[code as HttpErrorCode]
    : ERROR_MESSAGES[code as ErrorCode];
}

/** An error on its way to becoming a JSON reply. */
export class HttpError extends Error {
  constructor(
    readonly code: ErrorCode | HttpErrorCode,
    message: string,
  ) {
    super(message);
  }

  /** A code missing from the table (one the engine never gave the API before) is a 400. */
  get status(): number {
    return (ERROR_STATUS as Partial<Record<string, number>>)[this.code] ?? 400;
  }

  get body(): ApiError {
    return { error: { code: this.code, message: this.message } };
  }

  static of(error: ExchangeError): HttpError {
    return new HttpError(error.code, error.message);
  }

  /** The catalogue's wording for `code`, with a specific detail after it. */
  static code(code: ErrorCode | HttpErrorCode, detail?: string): HttpError {
    const base = messageOf(code);
    return new HttpError(code, detail === undefined ? base : `${base}: ${detail}`);
  }
}

/** The failures a submit can reject with, as the API's codes (statused by ERROR_STATUS). */
const HTTP_FAILURES: Partial<Record<FailureCode, ErrorCode | HttpErrorCode>> = {
  STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',
  OVERLOADED: 'OVERLOADED',
  ENGINE_UNAVAILABLE: 'ENGINE_UNAVAILABLE',
  OUTCOME_UNKNOWN: 'OUTCOME_UNKNOWN',
};

/** The API's code for a failure the engine's side throws; `undefined` for anything else. */
export function httpFailureCode(error: unknown): ErrorCode | HttpErrorCode | undefined {
  const code = failureCode(error);
  return code === undefined ? undefined : HTTP_FAILURES[code];
}
