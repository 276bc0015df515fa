// Every refusal the exchange can give has a stable code (for programs and logs) and a
// message (the text of the protocol's <error> element). This table is the only place
// where the wording lives.

export const ERROR_MESSAGES = {
  ACCOUNT_EXISTS: 'Account already exists',
  ACCOUNT_NOT_FOUND: 'Account does not exist',
  INVALID_ACCOUNT_ID: 'Account id must be one or more decimal digits',
  INVALID_SYMBOL: 'Symbol must be one or more ASCII letters or digits',
  SYMBOL_NOT_FOUND: 'Symbol does not exist',
  SYMBOL_WITHOUT_ACCOUNTS: 'Symbol element names no accounts',
  INVALID_NUMBER: 'Not a plain decimal number',
  TOO_MANY_DECIMALS: 'Too many fractional digits',
  NUMBER_TOO_LARGE: 'Number is too large',
  NEGATIVE_BALANCE: 'Balance must not be negative',
  NEGATIVE_SHARES: 'Share count must not be negative',
  ZERO_AMOUNT: 'Order amount must not be zero',
  NON_POSITIVE_LIMIT: 'Limit price must be positive',
  INSUFFICIENT_FUNDS: 'Insufficient funds',
  INSUFFICIENT_SHARES: 'Insufficient shares',
  INVALID_ORDER_ID: 'Order id must be a positive integer',
  ORDER_NOT_FOUND: 'Order does not exist',
  NOT_ORDER_OWNER: 'Order belongs to another account',
  ORDER_NOT_OPEN: 'Order has no open shares to cancel',
  MISSING_ATTRIBUTE: 'Missing attribute',
  // The extensions (docs/extensions.md).
  INVALID_ORDER_TYPE: 'Order type must be limit or market',
  INVALID_TIF: 'Time in force must be GTC, IOC or FOK',
  INVALID_STP: 'Self-trade prevention must be cancel-resting, cancel-incoming or cancel-both',
  NON_POSITIVE_STOP: 'Stop price must be positive',
  MARKET_WITH_LIMIT: 'A market order takes no limit',
  UNSUPPORTED_COMBINATION: 'These order attributes cannot be combined',
  NON_POSITIVE_AMEND: 'Amend amount must be a positive share count',
  AMEND_UP: 'An amend may only reduce the open amount',
  NOTHING_TO_AMEND: 'Order has no open shares to amend',
  STOP_WAITING: 'A stop order cannot be amended before it triggers',
  UNKNOWN_ELEMENT: 'Unknown element',
  UNEXPECTED_CONTENT: 'Unexpected content',
  // Whole-request failures, answered as <results><error>why</error></results>.
  BAD_LENGTH_LINE: 'Invalid length line',
  REQUEST_TOO_LARGE: 'Request too large',
  LENGTH_MISMATCH: 'Length line does not match the XML document',
  TRUNCATED_REQUEST: 'Connection closed before the whole request arrived',
  MALFORMED_XML: 'Malformed XML',
  DOCTYPE_FORBIDDEN: 'DOCTYPE and entity declarations are not allowed',
  XML_TOO_COMPLEX: 'XML document is too deep or has too many elements',
  UNKNOWN_ROOT: 'Unknown request: root element must be <create> or <transactions>',
  INVALID_UTF8: 'Request is not valid UTF-8',
  ATTRIBUTE_TOO_LONG: 'Attribute value is too long',
  REQUEST_TIMEOUT: 'The whole request did not arrive in time',
  INTERNAL: 'Internal error: the request was not executed',
  STORE_UNAVAILABLE:
    'The store of record is unavailable: the request was not executed; retry later',
  ENGINE_UNAVAILABLE:
    'The matching engine is unavailable: the request was not executed; retry later',
  OVERLOADED: 'The exchange is overloaded: the request was not executed; retry later',
} as const;

export type ErrorCode = keyof typeof ERROR_MESSAGES;

export interface ExchangeError {
  readonly code: ErrorCode;
  readonly message: string;
}

// Without a detail an error is the same value every time: one frozen object per code, so a
// refusal on the hot path (an order too big for its account) builds nothing.
const PLAIN_ERRORS = new Map<ErrorCode, ExchangeError>();

/** An error with the catalogue wording, optionally followed by a specific detail. */
export function exchangeError(code: ErrorCode, detail?: string): ExchangeError {
  const base = ERROR_MESSAGES[code];
  if (detail !== undefined) return { code, message: `${base}: ${detail}` };
  let error = PLAIN_ERRORS.get(code);
  if (error === undefined) {
    error = Object.freeze({ code, message: base });
    PLAIN_ERRORS.set(code, error);
  }
  return error;
}
