// The OpenAPI 3.1 description of the JSON API, served at GET /api/openapi.json. The shapes
// follow api-types.ts (the source of truth); keep the two in step.

const DECIMAL_PATTERN = '^-?[0-9]+(\\.[0-9]+)?$';

const json = 'application/json';

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Exchange matching server: JSON API',
    version: '0.1.0',
    license: { name: 'MIT', identifier: 'MIT' },
    description: `Read the order books, recent trades and server statistics; place, query and cancel
limit orders. Accounts, symbols and share grants are created over the XML protocol (TCP), not
here.

**Numbers.** Money, prices and share counts are JSON strings in plain decimal notation
(\`"12.5"\`, \`"-100"\`, \`"0"\`: no exponent, no thousands separators), so they are exact, never
binary floats. Prices and shares carry at most 8 fractional digits, cash up to 16; requests
accept at most 15 digits before the point. Ids of orders are integers; ids of accounts are
strings of decimal digits. Times are integer seconds since the Unix epoch.

**Errors.** Every error reply is an \`ApiError\`: \`{"error": {"code": "...", "message": "..."}}\`
with a stable \`code\` (for programs) and a human-readable \`message\`. Codes of the HTTP layer:
\`BAD_REQUEST\` (400, an unreadable request), \`HOST_NOT_ALLOWED\` (403, bound to loopback
and addressed to another host name), \`NOT_FOUND\` (404, no such route), \`METHOD_NOT_ALLOWED\` (405), \`UNAUTHORIZED\` (401, missing
or wrong bearer token), \`INVALID_JSON\` (400), \`UNSUPPORTED_MEDIA_TYPE\` (415, a body that is
not \`application/json\`), \`BODY_TOO_LARGE\` (413, over 16 KiB), \`INVALID_QUERY\` (400, bad
\`depth\` or \`limit\`).
Codes of the exchange: \`ACCOUNT_NOT_FOUND\`, \`SYMBOL_NOT_FOUND\`, \`ORDER_NOT_FOUND\`,
\`INVALID_ORDER_ID\`, \`INVALID_SYMBOL\`, \`INVALID_NUMBER\`, \`TOO_MANY_DECIMALS\`,
\`NUMBER_TOO_LARGE\`, \`ZERO_AMOUNT\`, \`NON_POSITIVE_LIMIT\`, \`MISSING_ATTRIBUTE\`,
\`INSUFFICIENT_FUNDS\`, \`INSUFFICIENT_SHARES\`, \`ORDER_NOT_OPEN\`, \`INTERNAL\`, and the
retry-later codes \`OVERLOADED\`, \`STORE_UNAVAILABLE\`, \`ENGINE_UNAVAILABLE\` (the request
was not executed).

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
- \`{"type": "error", "code", "message"}\`: a message the server could not act on.

A slow client gets fewer, newer messages, never a growing queue; one more than 4 MiB behind
on the answers to its own messages is disconnected.

**Metrics: \`GET /metrics\`.** Prometheus text exposition format (not JSON), for scraping.`,
  },
  servers: [{ url: '/' }],
  tags: [
    { name: 'market', description: 'Symbols, order books and recent trades.' },
    { name: 'accounts', description: 'Account balances, positions and open orders.' },
    { name: 'orders', description: 'Place, query and cancel limit orders.' },
    { name: 'server', description: 'Statistics and this document.' },
  ],
  paths: {
    '/api/symbols': {
      get: {
        operationId: 'listSymbols',
        tags: ['market'],
        summary: 'All symbols with best bid, best ask and last price',
        responses: {
          '503': { $ref: '#/components/responses/Unavailable' },
          '200': {
            description: 'Every symbol the exchange knows.',
            content: {
              [json]: {
                schema: { $ref: '#/components/schemas/SymbolsView' },
                example: {
                  symbols: [
                    {
                      symbol: 'SPY',
                      bestBid: '99.5',
                      bestAsk: '100.25',
                      lastPrice: '100',
                      openOrders: 12,
                      granted: '100000',
                    },
                    {
                      symbol: 'BTC',
                      bestBid: null,
                      bestAsk: null,
                      lastPrice: null,
                      openOrders: 0,
                      granted: '21',
                    },
                  ],
                },
              },
            },
          },
        },
      },
    },
    '/api/symbols/{symbol}/book': {
      get: {
        operationId: 'getBook',
        tags: ['market'],
        summary: 'The order book of a symbol, aggregated by price level',
        parameters: [
          { $ref: '#/components/parameters/symbol' },
          {
            name: 'depth',
            in: 'query',
            required: false,
            description: 'Price levels to return on each side.',
            schema: { type: 'integer', minimum: 1, maximum: 1000, default: 20 },
            example: 5,
          },
        ],
        responses: {
          '503': { $ref: '#/components/responses/Unavailable' },
          '200': {
            description: 'Bids best (highest) first, asks best (lowest) first.',
            content: {
              [json]: {
                schema: { $ref: '#/components/schemas/BookView' },
                example: {
                  symbol: 'SPY',
                  bids: [
                    { price: '99.5', shares: '300', orders: 2 },
                    { price: '99', shares: '50.5', orders: 1 },
                  ],
                  asks: [{ price: '100.25', shares: '120', orders: 1 }],
                  bidLevels: 7,
                  askLevels: 1,
                },
              },
            },
          },
          '400': { $ref: '#/components/responses/InvalidQuery' },
          '404': { $ref: '#/components/responses/SymbolNotFound' },
        },
      },
    },
    '/api/symbols/{symbol}/trades': {
      get: {
        operationId: 'getTrades',
        tags: ['market'],
        summary: 'Recent trades in a symbol, newest first',
        description:
          'The newest trades, kept in memory (at most 1000 per symbol, refilled from the store at start).',
        parameters: [
          { $ref: '#/components/parameters/symbol' },
          {
            name: 'limit',
            in: 'query',
            required: false,
            description: 'Trades to return.',
            schema: { type: 'integer', minimum: 1, maximum: 1000, default: 50 },
            example: 10,
          },
        ],
        responses: {
          '503': { $ref: '#/components/responses/Unavailable' },
          '200': {
            description: 'Newest first.',
            content: {
              [json]: {
                schema: { $ref: '#/components/schemas/TradesView' },
                example: {
                  symbol: 'SPY',
                  trades: [
                    {
                      symbol: 'SPY',
                      price: '100',
                      shares: '25',
                      time: 1767225600,
                      buyOrderId: 43,
                      sellOrderId: 41,
                    },
                  ],
                },
              },
            },
          },
          '400': { $ref: '#/components/responses/InvalidQuery' },
          '404': { $ref: '#/components/responses/SymbolNotFound' },
        },
      },
    },
    '/api/accounts/{id}': {
      get: {
        operationId: 'getAccount',
        tags: ['accounts'],
        summary: 'An account: cash, positions and open orders',
        security: [{ bearerAuth: [] }],
        parameters: [{ $ref: '#/components/parameters/accountId' }],
        responses: {
          '503': { $ref: '#/components/responses/Unavailable' },
          '400': {
            description: 'INVALID_ACCOUNT_ID: the id is not one or more decimal digits.',
            content: { [json]: { schema: { $ref: '#/components/schemas/ApiError' } } },
          },
          '200': {
            description: 'The account.',
            content: {
              [json]: {
                schema: { $ref: '#/components/schemas/AccountView' },
                example: {
                  id: '1001',
                  balance: '97512.5',
                  reservedCash: '2487.5',
                  positions: [{ symbol: 'SPY', shares: '75', reservedShares: '0' }],
                  openOrders: [
                    {
                      id: 42,
                      account: '1001',
                      symbol: 'SPY',
                      side: 'buy',
                      shares: '50',
                      limit: '99.5',
                      open: '25',
                      status: 'open',
                      time: 1767225600,
                      fills: [{ shares: '25', price: '99.5', time: 1767225601 }],
                      canceled: null,
                    },
                  ],
                },
              },
            },
          },
          '401': { $ref: '#/components/responses/Unauthorized' },
          '404': {
            description: 'ACCOUNT_NOT_FOUND: no such account.',
            content: {
              [json]: {
                schema: { $ref: '#/components/schemas/ApiError' },
                example: {
                  error: { code: 'ACCOUNT_NOT_FOUND', message: 'Account does not exist: id="7"' },
                },
              },
            },
          },
        },
      },
    },
    '/api/accounts/{id}/orders': {
      post: {
        operationId: 'placeOrder',
        tags: ['orders'],
        summary: 'Place a limit order for the account',
        description:
          'A positive `amount` buys, a negative one sells. Cash (buy: shares × limit) or shares ' +
          '(sell) are reserved while the order is open. The reply is the order as it stands ' +
          'once durable: it may already be partly or wholly executed.',
        security: [{ bearerAuth: [] }],
        parameters: [{ $ref: '#/components/parameters/accountId' }],
        requestBody: {
          required: true,
          content: {
            [json]: {
              schema: { $ref: '#/components/schemas/PlaceOrderBody' },
              examples: {
                buy: {
                  summary: 'Buy 50 SPY at 99.50 or better',
                  value: { symbol: 'SPY', amount: '50', limit: '99.5' },
                },
                sell: {
                  summary: 'Sell 10 SPY at 101 or better',
                  value: { symbol: 'SPY', amount: '-10', limit: '101' },
                },
              },
            },
          },
        },
        responses: {
          '201': {
            description: 'The order was accepted and is durable.',
            content: {
              [json]: {
                schema: { $ref: '#/components/schemas/OrderView' },
                example: {
                  id: 42,
                  account: '1001',
                  symbol: 'SPY',
                  side: 'buy',
                  shares: '50',
                  limit: '99.5',
                  open: '25',
                  status: 'open',
                  time: 1767225600,
                  fills: [{ shares: '25', price: '99.5', time: 1767225600 }],
                  canceled: null,
                },
              },
            },
          },
          '400': {
            description:
              'The body or the account id is not valid: INVALID_JSON, INVALID_ACCOUNT_ID, MISSING_ATTRIBUTE, INVALID_SYMBOL, ' +
              'INVALID_NUMBER, TOO_MANY_DECIMALS, NUMBER_TOO_LARGE, ZERO_AMOUNT or ' +
              'NON_POSITIVE_LIMIT.',
            content: {
              [json]: {
                schema: { $ref: '#/components/schemas/ApiError' },
                example: {
                  error: {
                    code: 'TOO_MANY_DECIMALS',
                    message:
                      'Too many fractional digits: limit="1.123456789" (at most 8 are supported)',
                  },
                },
              },
            },
          },
          '401': { $ref: '#/components/responses/Unauthorized' },
          '404': {
            description: 'ACCOUNT_NOT_FOUND or SYMBOL_NOT_FOUND.',
            content: {
              [json]: {
                schema: { $ref: '#/components/schemas/ApiError' },
                example: {
                  error: { code: 'SYMBOL_NOT_FOUND', message: 'Symbol does not exist' },
                },
              },
            },
          },
          '409': {
            description:
              'INSUFFICIENT_FUNDS (buy: balance below shares × limit) or INSUFFICIENT_SHARES ' +
              '(sell: position below the amount).',
            content: {
              [json]: {
                schema: { $ref: '#/components/schemas/ApiError' },
                example: {
                  error: { code: 'INSUFFICIENT_FUNDS', message: 'Insufficient funds' },
                },
              },
            },
          },
          '413': { $ref: '#/components/responses/BodyTooLarge' },
          '415': { $ref: '#/components/responses/UnsupportedMediaType' },
          '503': { $ref: '#/components/responses/Unavailable' },
        },
      },
    },
    '/api/orders/{id}': {
      get: {
        operationId: 'getOrder',
        tags: ['orders'],
        summary: 'An order with its fills and cancel',
        security: [{ bearerAuth: [] }],
        parameters: [{ $ref: '#/components/parameters/orderId' }],
        responses: {
          '503': { $ref: '#/components/responses/Unavailable' },
          '200': {
            description: 'The order.',
            content: {
              [json]: {
                schema: { $ref: '#/components/schemas/OrderView' },
                example: {
                  id: 41,
                  account: '1002',
                  symbol: 'SPY',
                  side: 'sell',
                  shares: '25',
                  limit: '99',
                  open: '0',
                  status: 'executed',
                  time: 1767225590,
                  fills: [{ shares: '25', price: '100', time: 1767225600 }],
                  canceled: null,
                },
              },
            },
          },
          '400': { $ref: '#/components/responses/InvalidOrderId' },
          '401': { $ref: '#/components/responses/Unauthorized' },
          '404': { $ref: '#/components/responses/OrderNotFound' },
        },
      },
      delete: {
        operationId: 'cancelOrder',
        tags: ['orders'],
        summary: 'Cancel the open shares of an order',
        description:
          "Cancels as the order's own account and releases its reservation. The reply is " +
          'the order with status `canceled` and the `canceled` record.',
        security: [{ bearerAuth: [] }],
        parameters: [{ $ref: '#/components/parameters/orderId' }],
        responses: {
          '200': {
            description: 'The order, now canceled.',
            content: {
              [json]: {
                schema: { $ref: '#/components/schemas/OrderView' },
                example: {
                  id: 42,
                  account: '1001',
                  symbol: 'SPY',
                  side: 'buy',
                  shares: '50',
                  limit: '99.5',
                  open: '0',
                  status: 'canceled',
                  time: 1767225600,
                  fills: [{ shares: '25', price: '99.5', time: 1767225600 }],
                  canceled: { shares: '25', time: 1767225660 },
                },
              },
            },
          },
          '400': { $ref: '#/components/responses/InvalidOrderId' },
          '401': { $ref: '#/components/responses/Unauthorized' },
          '404': { $ref: '#/components/responses/OrderNotFound' },
          '409': {
            description: 'ORDER_NOT_OPEN: the order has no open shares (executed or canceled).',
            content: {
              [json]: {
                schema: { $ref: '#/components/schemas/ApiError' },
                example: {
                  error: { code: 'ORDER_NOT_OPEN', message: 'Order has no open shares to cancel' },
                },
              },
            },
          },
          '503': { $ref: '#/components/responses/Unavailable' },
        },
      },
    },
    '/api/stats': {
      get: {
        operationId: 'getStats',
        tags: ['server'],
        summary: 'Throughput, latency and size of the exchange',
        responses: {
          '200': {
            description: 'The latest sample (taken about once a second).',
            content: {
              [json]: {
                schema: { $ref: '#/components/schemas/StatsView' },
                example: {
                  time: 1767225600,
                  uptimeSeconds: 3600,
                  requests: { total: 1250000, perSecond: 4200 },
                  latencyMs: { p50: 0.4, p90: 1.2, p99: 3.5, max: 9.8 },
                  batches: { total: 310000, perSecond: 950, meanSize: 4.4, largest: 256 },
                  commitMs: { p50: 0.8, p90: 1.6, p99: 4, max: 12 },
                  connections: { open: 16 },
                  openOrders: 5230,
                  accounts: 1000,
                  symbols: 12,
                  gateways: 0,
                },
              },
            },
          },
        },
      },
    },
    '/api/openapi.json': {
      get: {
        operationId: 'getOpenApi',
        tags: ['server'],
        summary: 'This OpenAPI 3.1 document',
        responses: {
          '200': {
            description: 'The OpenAPI document, as JSON.',
            content: { [json]: { schema: { type: 'object' } } },
          },
        },
      },
    },
  },
  components: {
    securitySchemes: {
      bearerAuth: {
        type: 'http',
        scheme: 'bearer',
        description:
          'A shared token: `Authorization: Bearer <token>`. Only enforced when the server is ' +
          'started with `--api-token <token>`; without it the account and order endpoints ' +
          'are open.',
      },
    },
    parameters: {
      symbol: {
        name: 'symbol',
        in: 'path',
        required: true,
        description: 'Symbol: one or more ASCII letters or digits.',
        schema: { type: 'string', pattern: '^[A-Za-z0-9]+$' },
        example: 'SPY',
      },
      accountId: {
        name: 'id',
        in: 'path',
        required: true,
        description: 'Account id: one or more decimal digits.',
        schema: { type: 'string', pattern: '^[0-9]+$' },
        example: '1001',
      },
      orderId: {
        name: 'id',
        in: 'path',
        required: true,
        description: 'Order id: a positive integer (anything else gets 400 INVALID_ORDER_ID).',
        schema: { type: 'integer', minimum: 1 },
        example: 42,
      },
    },
    responses: {
      BodyTooLarge: {
        description: 'BODY_TOO_LARGE: the body is over 16 KiB.',
        content: { [json]: { schema: { $ref: '#/components/schemas/ApiError' } } },
      },
      UnsupportedMediaType: {
        description: 'UNSUPPORTED_MEDIA_TYPE: the body must be sent as application/json.',
        content: { [json]: { schema: { $ref: '#/components/schemas/ApiError' } } },
      },
      Unauthorized: {
        description:
          'UNAUTHORIZED: the server was started with --api-token and the bearer token is ' +
          'missing or wrong.',
        content: {
          [json]: {
            schema: { $ref: '#/components/schemas/ApiError' },
            example: {
              error: {
                code: 'UNAUTHORIZED',
                message: 'A valid bearer token is required (Authorization: Bearer <token>)',
              },
            },
          },
        },
      },
      InvalidQuery: {
        description: 'INVALID_QUERY: depth or limit is not an integer from 1 to 1000.',
        content: {
          [json]: {
            schema: { $ref: '#/components/schemas/ApiError' },
            example: {
              error: {
                code: 'INVALID_QUERY',
                message: 'Invalid query parameter: depth must be an integer from 1 to 1000',
              },
            },
          },
        },
      },
      SymbolNotFound: {
        description: 'SYMBOL_NOT_FOUND: no such symbol.',
        content: {
          [json]: {
            schema: { $ref: '#/components/schemas/ApiError' },
            example: {
              error: { code: 'SYMBOL_NOT_FOUND', message: 'Symbol does not exist: sym="SPY"' },
            },
          },
        },
      },
      InvalidOrderId: {
        description: 'INVALID_ORDER_ID: the id is not a positive integer.',
        content: {
          [json]: {
            schema: { $ref: '#/components/schemas/ApiError' },
            example: {
              error: {
                code: 'INVALID_ORDER_ID',
                message: 'Order id must be a positive integer: id="abc"',
              },
            },
          },
        },
      },
      OrderNotFound: {
        description: 'ORDER_NOT_FOUND: no such order.',
        content: {
          [json]: {
            schema: { $ref: '#/components/schemas/ApiError' },
            example: { error: { code: 'ORDER_NOT_FOUND', message: 'Order does not exist' } },
          },
        },
      },
      Unavailable: {
        description:
          'OVERLOADED, STORE_UNAVAILABLE or ENGINE_UNAVAILABLE: the request was not executed; ' +
          'retry later. OUTCOME_UNKNOWN: the store was lost during the commit, so the order or ' +
          'cancel may or may not have been executed; look it up before retrying.',
        content: {
          [json]: {
            schema: { $ref: '#/components/schemas/ApiError' },
            example: {
              error: {
                code: 'OVERLOADED',
                message: 'The exchange is overloaded: the request was not executed; retry later',
              },
            },
          },
        },
      },
    },
    schemas: {
      Decimal: {
        type: 'string',
        pattern: DECIMAL_PATTERN,
        description:
          'An exact decimal number as a string in plain notation (no exponent), never a ' +
          'binary float.',
        examples: ['12.5', '-100', '0'],
      },
      Time: {
        type: 'integer',
        description: 'Seconds since the Unix epoch.',
        examples: [1767225600],
      },
      ApiError: {
        type: 'object',
        description: 'Every error reply: the HTTP status plus a stable code and a message.',
        required: ['error'],
        properties: {
          error: {
            type: 'object',
            required: ['code', 'message'],
            properties: {
              code: {
                type: 'string',
                description: 'Stable, machine-readable code (see the list in info.description).',
                examples: ['SYMBOL_NOT_FOUND'],
              },
              message: {
                type: 'string',
                description: 'Human-readable text, possibly with a specific detail.',
                examples: ['Symbol does not exist'],
              },
            },
          },
        },
      },
      PriceLevelView: {
        type: 'object',
        required: ['price', 'shares', 'orders'],
        properties: {
          price: { $ref: '#/components/schemas/Decimal' },
          shares: {
            $ref: '#/components/schemas/Decimal',
            description: 'Open shares resting at this price.',
          },
          orders: { type: 'integer', minimum: 1, description: 'Resting orders at this price.' },
        },
      },
      BookView: {
        type: 'object',
        description: 'The order book of a symbol; also the WebSocket `book` message.',
        required: ['symbol', 'bids', 'asks', 'bidLevels', 'askLevels'],
        properties: {
          symbol: { type: 'string', examples: ['SPY'] },
          bids: {
            type: 'array',
            description: 'Best (highest) first.',
            items: { $ref: '#/components/schemas/PriceLevelView' },
          },
          asks: {
            type: 'array',
            description: 'Best (lowest) first.',
            items: { $ref: '#/components/schemas/PriceLevelView' },
          },
          bidLevels: {
            type: 'integer',
            minimum: 0,
            description: 'Bid price levels in all (the list stops at `depth`).',
          },
          askLevels: {
            type: 'integer',
            minimum: 0,
            description: 'Ask price levels in all (the list stops at `depth`).',
          },
        },
      },
      TradeView: {
        type: 'object',
        required: ['symbol', 'price', 'shares', 'time', 'buyOrderId', 'sellOrderId'],
        properties: {
          symbol: { type: 'string', examples: ['SPY'] },
          price: { $ref: '#/components/schemas/Decimal' },
          shares: { $ref: '#/components/schemas/Decimal' },
          time: { $ref: '#/components/schemas/Time' },
          buyOrderId: { type: 'integer', minimum: 1 },
          sellOrderId: { type: 'integer', minimum: 1 },
        },
      },
      TradesView: {
        type: 'object',
        required: ['symbol', 'trades'],
        properties: {
          symbol: { type: 'string', examples: ['SPY'] },
          trades: {
            type: 'array',
            description: 'Newest first.',
            items: { $ref: '#/components/schemas/TradeView' },
          },
        },
      },
      SymbolSummary: {
        type: 'object',
        required: ['symbol', 'bestBid', 'bestAsk', 'lastPrice', 'openOrders', 'granted'],
        properties: {
          symbol: { type: 'string', examples: ['SPY'] },
          bestBid: {
            oneOf: [{ $ref: '#/components/schemas/Decimal' }, { type: 'null' }],
            description: 'Highest bid; null when there are no bids.',
          },
          bestAsk: {
            oneOf: [{ $ref: '#/components/schemas/Decimal' }, { type: 'null' }],
            description: 'Lowest ask; null when there are no asks.',
          },
          lastPrice: {
            oneOf: [{ $ref: '#/components/schemas/Decimal' }, { type: 'null' }],
            description: 'Price of the latest trade; null when none is known.',
          },
          openOrders: { type: 'integer', minimum: 0 },
          granted: {
            $ref: '#/components/schemas/Decimal',
            description: 'Shares ever granted in this symbol.',
          },
        },
      },
      SymbolsView: {
        type: 'object',
        required: ['symbols'],
        properties: {
          symbols: { type: 'array', items: { $ref: '#/components/schemas/SymbolSummary' } },
        },
      },
      FillView: {
        type: 'object',
        required: ['shares', 'price', 'time'],
        properties: {
          shares: { $ref: '#/components/schemas/Decimal' },
          price: { $ref: '#/components/schemas/Decimal' },
          time: { $ref: '#/components/schemas/Time' },
        },
      },
      OrderView: {
        type: 'object',
        required: [
          'id',
          'account',
          'symbol',
          'side',
          'shares',
          'limit',
          'open',
          'status',
          'time',
          'fills',
          'canceled',
        ],
        properties: {
          id: { type: 'integer', minimum: 1, examples: [42] },
          account: { type: 'string', examples: ['1001'] },
          symbol: { type: 'string', examples: ['SPY'] },
          side: { type: 'string', enum: ['buy', 'sell'] },
          shares: {
            $ref: '#/components/schemas/Decimal',
            description: 'Original size, positive for both sides.',
          },
          limit: { $ref: '#/components/schemas/Decimal' },
          open: {
            $ref: '#/components/schemas/Decimal',
            description: 'Shares still open (resting in the book).',
          },
          status: {
            type: 'string',
            enum: ['open', 'executed', 'canceled'],
            description:
              'open: some shares rest in the book; executed: all filled; canceled: the rest ' +
              'canceled.',
          },
          time: { $ref: '#/components/schemas/Time' },
          fills: { type: 'array', items: { $ref: '#/components/schemas/FillView' } },
          canceled: {
            oneOf: [
              {
                type: 'object',
                required: ['shares', 'time'],
                properties: {
                  shares: { $ref: '#/components/schemas/Decimal' },
                  time: { $ref: '#/components/schemas/Time' },
                },
              },
              { type: 'null' },
            ],
            description: 'The canceled shares and when; null unless canceled.',
          },
        },
      },
      PositionView: {
        type: 'object',
        required: ['symbol', 'shares', 'reservedShares'],
        properties: {
          symbol: { type: 'string', examples: ['SPY'] },
          shares: {
            $ref: '#/components/schemas/Decimal',
            description: 'Shares held and free to sell.',
          },
          reservedShares: {
            $ref: '#/components/schemas/Decimal',
            description: 'Shares set aside by open sell orders.',
          },
        },
      },
      AccountView: {
        type: 'object',
        required: ['id', 'balance', 'reservedCash', 'positions', 'openOrders'],
        properties: {
          id: { type: 'string', examples: ['1001'] },
          balance: { $ref: '#/components/schemas/Decimal', description: 'Cash free to spend.' },
          reservedCash: {
            $ref: '#/components/schemas/Decimal',
            description: 'Cash set aside by open buy orders (open shares × limit).',
          },
          positions: { type: 'array', items: { $ref: '#/components/schemas/PositionView' } },
          openOrders: {
            type: 'array',
            description: 'Open orders, oldest first.',
            items: { $ref: '#/components/schemas/OrderView' },
          },
        },
      },
      PlaceOrderBody: {
        type: 'object',
        description: 'A limit order. The amount is signed, as in the XML protocol.',
        required: ['symbol', 'amount', 'limit'],
        properties: {
          symbol: { type: 'string', pattern: '^[A-Za-z0-9]+$', examples: ['SPY'] },
          amount: {
            $ref: '#/components/schemas/Decimal',
            description:
              'Shares: positive buys, negative sells; not zero; at most 8 fractional digits.',
            examples: ['50', '-10'],
          },
          limit: {
            $ref: '#/components/schemas/Decimal',
            description: 'Limit price: positive; at most 8 fractional digits.',
            examples: ['99.5'],
          },
        },
      },
      LatencyView: {
        type: 'object',
        description:
          'Milliseconds, estimated from histogram buckets; null when nothing was measured.',
        required: ['p50', 'p90', 'p99', 'max'],
        properties: {
          p50: { type: ['number', 'null'] },
          p90: { type: ['number', 'null'] },
          p99: { type: ['number', 'null'] },
          max: { type: ['number', 'null'] },
        },
      },
      StatsView: {
        type: 'object',
        description: 'Server statistics; also the WebSocket `stats` message, once a second.',
        required: [
          'time',
          'uptimeSeconds',
          'requests',
          'latencyMs',
          'batches',
          'commitMs',
          'connections',
          'openOrders',
          'accounts',
          'symbols',
          'gateways',
        ],
        properties: {
          time: {
            type: 'number',
            description: 'Seconds since the Unix epoch when this sample was taken.',
          },
          uptimeSeconds: { type: 'number', minimum: 0 },
          requests: {
            type: 'object',
            required: ['total', 'perSecond'],
            properties: {
              total: {
                type: 'integer',
                minimum: 0,
                description: 'XML and JSON requests answered since start.',
              },
              perSecond: {
                type: 'number',
                minimum: 0,
                description: 'Over the last sampling interval (about one second).',
              },
            },
          },
          latencyMs: {
            $ref: '#/components/schemas/LatencyView',
            description: 'Request latency, read to reply, over the last interval.',
          },
          batches: {
            type: 'object',
            required: ['total', 'perSecond', 'meanSize', 'largest'],
            properties: {
              total: { type: 'integer', minimum: 0 },
              perSecond: { type: 'number', minimum: 0 },
              meanSize: {
                type: ['number', 'null'],
                description: 'Mean requests per batch over the last interval.',
              },
              largest: { type: 'integer', minimum: 0 },
            },
          },
          commitMs: {
            $ref: '#/components/schemas/LatencyView',
            description: 'Store commit latency over the last interval.',
          },
          connections: {
            type: 'object',
            required: ['open'],
            properties: { open: { type: 'integer', minimum: 0 } },
          },
          openOrders: { type: 'integer', minimum: 0 },
          accounts: { type: 'integer', minimum: 0 },
          symbols: { type: 'integer', minimum: 0 },
          gateways: {
            type: 'integer',
            minimum: 0,
            description:
              "Gateway processes whose figures are included (0: the engine's process serves " +
              'clients).',
          },
        },
      },
    },
  },
} as const;
