// The JSON API client (same origin). Account and order requests carry the bearer token, if one
// is set; it lives in sessionStorage only.
import type {
  AccountView,
  AmendOrderBody,
  ApiError,
  BookView,
  OrderView,
  PlaceOrderBody,
  StatsView,
  SymbolsView,
  TradesView,
} from '../../src/http/api-types.js';

const TOKEN_KEY = 'exchange-dashboard.token';

export function getToken(): string {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return '';
  }
}

export function setToken(token: string): void {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage unavailable (privacy mode): the token just is not remembered.
  }
}

/** A failed request: status 0 when the server could not be reached. */
export class ApiRequestError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiRequestError';
    this.status = status;
    this.code = code;
  }
}

function isApiError(body: unknown): body is ApiError {
  if (typeof body !== 'object' || body === null || !('error' in body)) return false;
  const error: unknown = body.error;
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    typeof error.code === 'string' &&
    'message' in error &&
    typeof error.message === 'string'
  );
}

export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}

interface RequestOptions {
  readonly auth?: boolean;
  readonly signal?: AbortSignal | undefined;
  readonly method?: 'GET' | 'POST' | 'PATCH';
  /** Sent as JSON. */
  readonly body?: unknown;
}

async function requestJson<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.auth) {
    const token = getToken();
    if (token) headers['Authorization'] = `Bearer ${token}`;
  }
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method: options.method ?? 'GET',
      headers,
      signal: options.signal ?? null,
      cache: 'no-store',
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
  } catch (err) {
    if (isAbort(err)) throw err;
    throw new ApiRequestError(0, 'network', 'the server could not be reached');
  }
  const text = await res.text();
  let body: unknown = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
  }
  if (!res.ok) {
    if (isApiError(body))
      throw new ApiRequestError(res.status, body.error.code, body.error.message);
    throw new ApiRequestError(res.status, `http_${res.status}`, `HTTP ${res.status}`);
  }
  if (body === null)
    throw new ApiRequestError(res.status, 'bad_response', 'the reply was not JSON');
  return body as T;
}

const seg = encodeURIComponent;

export const api = {
  symbols: (signal?: AbortSignal) => requestJson<SymbolsView>('/api/symbols', { signal }),
  book: (symbol: string, depth: number, signal?: AbortSignal) =>
    requestJson<BookView>(`/api/symbols/${seg(symbol)}/book?depth=${depth}`, { signal }),
  trades: (symbol: string, limit: number, signal?: AbortSignal) =>
    requestJson<TradesView>(`/api/symbols/${seg(symbol)}/trades?limit=${limit}`, { signal }),
  account: (id: string, signal?: AbortSignal) =>
    requestJson<AccountView>(`/api/accounts/${seg(id)}`, { auth: true, signal }),
  order: (id: string, signal?: AbortSignal) =>
    requestJson<OrderView>(`/api/orders/${seg(id)}`, { auth: true, signal }),
  placeOrder: (account: string, body: PlaceOrderBody) =>
    requestJson<OrderView>(`/api/accounts/${seg(account)}/orders`, {
      auth: true,
      method: 'POST',
      body,
    }),
  amendOrder: (id: number, body: AmendOrderBody) =>
    requestJson<OrderView>(`/api/orders/${id}`, { auth: true, method: 'PATCH', body }),
  stats: (signal?: AbortSignal) => requestJson<StatsView>('/api/stats', { signal }),
};

/** A readable line for a failed lookup; `thing` names what was looked up ("account"). */
export function describeError(err: unknown, thing: string): string {
  if (err instanceof ApiRequestError) {
    switch (err.status) {
      case 0:
        return `Network error: ${err.message}.`;
      case 401:
        return getToken()
          ? 'Unauthorized (401): the server rejected the API token.'
          : 'Unauthorized (401): this server needs an API token; enter it in the token field.';
      case 403:
        return `Forbidden (403): this token may not read that ${thing}.`;
      case 404:
        return `No such ${thing}.`;
      default:
        return `Error ${err.status} (${err.code}): ${err.message}`;
    }
  }
  return `Error: ${err instanceof Error ? err.message : String(err)}`;
}
