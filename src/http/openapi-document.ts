// The OpenAPI 3.1 document at GET /api/openapi.json, made by @fastify/swagger from the
// routes' own schemas. What is written here is only what no schema says: the prose, and the
// error replies, which come from the one error table (http-errors.ts).

import swagger from '@fastify/swagger';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ApiRoute } from './api-route.js';
import { ApiError } from './api-types.js';
import { AUTH_ERRORS, BODY_ERRORS, ERROR_STATUS, type ApiErrorCode } from './http-errors.js';

/** Answered for a path or method no route has: listed in the prose, not under a route. */
const UNROUTED: readonly ApiErrorCode[] = ['NOT_FOUND', 'METHOD_NOT_ALLOWED'];

function codesByStatus(codes: readonly ApiErrorCode[]): Map<number, ApiErrorCode[]> {
  const byStatus = new Map<number, ApiErrorCode[]>();
  for (const code of codes) {
    const status = ERROR_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return byStatus;
}

const ALL_CODES = Object.keys(ERROR_STATUS) as ApiErrorCode[];

/**
 * The error replies a route can give, by status: every code of the table, less those of a
 * body when it takes none and of the token when it is open.
 */
export function errorResponses(route: ApiRoute): Record<number, unknown> {
  const codes = ALL_CODES.filter(
    (code) =>
      !UNROUTED.includes(code) &&
      (route.request.body !== undefined || !BODY_ERRORS.includes(code)) &&
      (route.private || !AUTH_ERRORS.includes(code)),
  );
  const responses: Record<number, unknown> = {};
  for (const [status, listed] of codesByStatus(codes)) {
    // A plain string enum: fast-json-stringify writes it as a string, checking nothing.
    const code = Type.Unsafe<string>({ type: 'string', enum: listed });
    responses[status] = Type.Object(
      { error: Type.Object({ code, message: ApiError.properties.error.properties.message }) },
      { description: listed.join(', ') },
    );
  }
  return responses;
}

function errorList(): string {
  return [...codesByStatus(ALL_CODES)]
    .sort(([a], [b]) => a - b)
    .map(([status, codes]) => `- ${status}: ${codes.map((c) => `\`${c}\``).join(', ')}`)
    .join('\n');
}

const DESCRIPTION = `Read the order books, recent trades and server statistics; place, query, amend and
cancel orders (limit, market and stop-limit orders, with time in force and self-trade
prevention, as in the XML protocol's extensions: docs/extensions.md). Accounts, symbols and share grants are created over the XML protocol (TCP), not
here.

**Numbers.** Money, prices and share counts are JSON strings in plain decimal notation
(\`"12.5"\`, \`"-100"\`, \`"0"\`: no exponent, no thousands separators), so they are exact, never
binary floats. Prices and shares carry at most 8 fractional digits, cash up to 16; requests
accept at most 15 digits before the point. Ids of orders are integers; ids of accounts are
strings of decimal digits. Times are integer seconds since the Unix epoch.

**Errors.** Every error reply is \`{"error": {"code": "...", "message": "..."}}\` with a stable
\`code\` (for programs) and a human-readable \`message\`. Every code, by status (each
operation lists those it can give):

${errorList()}

\`HOST_NOT_ALLOWED\`: bound to loopback and addressed to another host name. \`BODY_TOO_LARGE\`:
over 16 KiB. The 503 codes other than \`OUTCOME_UNKNOWN\` mean the request was not executed:
retry later; \`OUTCOME_UNKNOWN\` means it may have been: look the order up first.

**Authentication.** When the server is started with \`--api-token\`, the account and order
endpoints require \`Authorization: Bearer <token>\`; otherwise they are open.

**WebSocket feed: \`/ws\`.** JSON text messages. The client sends
\`{"op": "subscribe", "symbol": "SPY"}\` or \`{"op": "subscribe", "channel": "stats"}\` (and the
same with \`"op": "unsubscribe"\`). The server answers \`{"type": "subscribed", "symbol": "SPY"}\`
(or \`"channel": "stats"\`) and then sends:

- \`{"type": "book", ...BookView}\`: the whole visible book (depth 50), replacing the last one;
  sent on subscribe and then coalesced to at most one every 250 ms (4 per second) per symbol
  while the book changes.
- \`{"type": "trades", "symbol", "trades": TradeView[], "dropped": n}\`: trades batched since the
  last message, newest first, at most 50; \`dropped\` counts any left out.
- \`{"type": "stats", ...StatsView}\`: once a second on the stats channel.
- \`{"type": "error", "code", "message"}\`: a message the server could not act on
  (\`INVALID_MESSAGE\`, \`TOO_MANY_SUBSCRIPTIONS\`, \`SYMBOL_NOT_FOUND\`, \`STORE_UNAVAILABLE\`).

A slow client gets fewer, newer messages, never a growing queue; one more than 4 MiB behind
on the answers to its own messages is disconnected.

**Metrics: \`GET /metrics\`.** Prometheus text exposition format (not JSON), for scraping.`;

export async function openApiDocument(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Exchange matching server: JSON API',
        version: '0.1.0',
        license: { name: 'MIT', identifier: 'MIT' },
        description: DESCRIPTION,
      },
      servers: [{ url: '/' }],
      tags: [
        { name: 'market', description: 'Symbols, order books and recent trades.' },
        { name: 'accounts', description: 'Account balances, positions and open orders.' },
        { name: 'orders', description: 'Place, query, amend and cancel orders.' },
        { name: 'server', description: 'Statistics and this document.' },
      ],
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            description:
              'A shared token: `Authorization: Bearer <token>`. Only enforced when the server ' +
              'is started with `--api-token <token>`; without it the account and order ' +
              'endpoints are open.',
          },
        },
      },
    },
    // The dashboard's files, /metrics and /ws carry no tag: they are not the JSON API.
    hideUntagged: true,
  });
}
