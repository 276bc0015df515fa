// The HTTP side of the exchange, beside the XML listeners: the JSON API, the WebSocket feed,
// Prometheus metrics and the dashboard, on one port (loopback by default). It runs in the
// engine's process: every read and write goes through the one sequencer.

import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import type { MarketFeed } from '../market/market-feed.js';
import type { MetricsHub } from '../metrics/metrics-hub.js';
import type { StatsSampler } from '../metrics/stats-sampler.js';
import { API_ROUTES, type ApiContext } from './api-routes.js';
import { HttpError } from './http-errors.js';
import { loadStaticFiles, type StaticFile } from './static-files.js';
import { WebSocketFeed } from './ws-feed.js';

export const DEFAULT_HTTP_PORT = 8080;
const MAX_BODY_BYTES = 16 * 1024;
/** How long a stop waits for API requests in flight. */
const STOP_GRACE_MS = 5_000;
/** Open HTTP connections (WebSockets included) beyond which new ones are refused. */
const MAX_HTTP_CONNECTIONS = 2_000;

export interface HttpOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** When set, account and order endpoints need `Authorization: Bearer <token>`. */
  readonly apiToken?: string;
  /** The built dashboard's folder (tests may point elsewhere). */
  readonly dashboardDir?: string;
}

export interface HttpServer {
  readonly port: number;
  readonly feed: WebSocketFeed;
  close(): Promise<void>;
}

export interface HttpDependencies {
  readonly api: ApiContext;
  readonly market: MarketFeed;
  readonly metrics: MetricsHub;
  readonly sampler: StatsSampler;
  readonly log: Logger;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** A Host header naming loopback (any port): localhost, 127.x.y.z or [::1]. */
function isLoopbackHostHeader(header: string | undefined): boolean {
  if (header === undefined) return false;
  const host = header.startsWith('[')
    ? header.slice(1, header.indexOf(']'))
    : header.split(':')[0]!;
  return isLoopback(host.toLowerCase());
}

export async function startHttpServer(
  options: HttpOptions,
  deps: HttpDependencies,
): Promise<HttpServer> {
  if (!isLoopback(options.host) && options.apiToken === undefined) {
    throw new Error(
      `--http-host ${options.host} is not loopback: set --api-token (or EXCHANGE_API_TOKEN), or anyone who reaches it can trade for every account`,
    );
  }
  const files = loadStaticFiles(options.dashboardDir);
  if (!files.has('/')) {
    deps.log.warn('the dashboard is not built (npm run build:web): / answers 404');
  }
  const token = options.apiToken === undefined ? null : Buffer.from(options.apiToken);
  const served = new Counter({
    name: 'exchange_http_requests_total',
    help: 'JSON API requests answered, by route and HTTP status.',
    labelNames: ['route', 'status'] as const,
    registers: [deps.metrics.registry],
  });
  const feed = new WebSocketFeed(deps.api.sequencer, deps.market, deps.sampler);

  // Bound to loopback, it answers only requests addressed to loopback: a web page elsewhere
  // cannot reach it through DNS rebinding (a name of its own resolving to 127.0.0.1).
  const loopbackOnly = isLoopback(options.host);
  const hostAllowed = (request: IncomingMessage): boolean =>
    !loopbackOnly || isLoopbackHostHeader(request.headers.host);

  const authorized = (request: IncomingMessage): boolean => {
    if (token === null) return true;
    const header = request.headers.authorization ?? '';
    const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
    return given.length === token.length && timingSafeEqual(given, token);
  };

  const api = async (
    request: IncomingMessage,
    url: URL,
  ): Promise<{ status: number; body: unknown; route: string }> => {
    const path = url.pathname;
    const matching = API_ROUTES.filter((r) => r.pattern.test(path));
    const route = matching.find((r) => r.method === request.method);
    if (route === undefined) {
      throw matching.length === 0
        ? HttpError.http('NOT_FOUND', path)
        : HttpError.http('METHOD_NOT_ALLOWED', `${request.method} ${path}`);
    }
    if (route.private && !authorized(request)) throw HttpError.http('UNAUTHORIZED');
    const params = route.pattern.exec(path)!.slice(1).map(decodeParam);
    const body = route.method === 'POST' ? await readJson(request) : undefined;
    const { status, body: reply } = await route.handle(deps.api, {
      params,
      query: url.searchParams,
      body,
    });
    return { status, body: reply, route: route.name };
  };

  let inFlight = 0;
  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    if (!hostAllowed(request)) {
      return sendJson(response, 403, HttpError.http('HOST_NOT_ALLOWED').body);
    }
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname.startsWith('/api/')) {
      inFlight++;
      response.once('close', () => inFlight--);
      api(request, url).then(
        ({ status, body, route }) => {
          served.inc({ route, status });
          sendJson(response, status, body);
        },
        (error: unknown) => {
          const failure = asHttpError(error, deps.log);
          served.inc({ route: 'error', status: failure.status });
          if (failure.status === 401) response.setHeader('WWW-Authenticate', 'Bearer');
          if (failure.status === 405) response.setHeader('Allow', allowed(url.pathname));
          sendJson(response, failure.status, failure.body);
        },
      );
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      return sendJson(response, 405, HttpError.http('METHOD_NOT_ALLOWED').body);
    }
    if (url.pathname === '/metrics') {
      deps.metrics.text().then(
        (text) => {
          response.writeHead(200, { 'Content-Type': deps.metrics.contentType });
          response.end(text);
        },
        (error: unknown) => sendJson(response, 500, asHttpError(error, deps.log).body),
      );
      return;
    }
    const file = files.get(url.pathname);
    if (file === undefined)
      return sendJson(response, 404, HttpError.http('NOT_FOUND', url.pathname).body);
    sendFile(response, file, request.method === 'HEAD');
  };
  // This runs in the engine's process: nothing a client sends may throw out of a handler.
  const server: Server = createServer((request, response) => {
    try {
      handle(request, response);
    } catch (error) {
      deps.log.warn({ err: error, url: request.url?.slice(0, 200) }, 'bad HTTP request');
      if (!response.headersSent) sendJson(response, 400, HttpError.http('BAD_REQUEST').body);
      else response.destroy();
    }
  });
  server.on('upgrade', (request, socket, head) => {
    try {
      if (
        hostAllowed(request) &&
        new URL(request.url ?? '/', 'http://localhost').pathname === '/ws'
      ) {
        feed.upgrade(request, socket, head);
        return;
      }
    } catch {
      // an unparsable target is not /ws
    }
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });
  // Keep-alive connections would hold a graceful stop open for their idle timeout.
  server.keepAliveTimeout = 5_000;
  // Slow clients are cut off as on the XML listeners.
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  server.maxConnections = MAX_HTTP_CONNECTIONS;

  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port, host: options.host }, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
  deps.sampler.start();
  return {
    port,
    feed,
    // Stops accepting, answers the API requests in flight (an order waiting for its commit
    // gets its reply), then ends every connection; feed clients get a close frame.
    close: async () => {
      feed.close();
      deps.sampler.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const deadline = Date.now() + STOP_GRACE_MS;
      while (inFlight > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      server.closeAllConnections();
      await closed;
    },
  };
}

function decodeParam(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function allowed(path: string): string {
  return API_ROUTES.filter((r) => r.pattern.test(path))
    .map((r) => r.method)
    .join(', ');
}

function asHttpError(error: unknown, log: Logger): HttpError {
  if (error instanceof HttpError) return error;
  const failure = HttpError.failure(error);
  if (failure !== undefined) return failure;
  log.error({ err: error }, 'API request failed');
  return HttpError.engine('INTERNAL');
}

/**
 * The body as JSON, at most MAX_BODY_BYTES. Past that the rest is read and dropped, not
 * destroyed with the request, so the 413 reply still reaches the client.
 */
function readJson(request: IncomingMessage): Promise<unknown> {
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) {
    return Promise.reject(HttpError.http('UNSUPPORTED_MEDIA_TYPE', type || 'none given'));
  }
  const tooLarge = HttpError.http('BODY_TOO_LARGE', `at most ${MAX_BODY_BYTES} bytes`);
  if (Number(request.headers['content-length'] ?? 0) > MAX_BODY_BYTES) {
    request.resume();
    return Promise.reject(tooLarge);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) return void chunks.push(chunk);
      request.off('data', onData);
      request.resume();
      reject(tooLarge);
    };
    request.on('data', onData);
    request.on('error', reject);
    request.on('end', () => {
      if (size > MAX_BODY_BYTES) return;
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(HttpError.http('INVALID_JSON', 'not valid JSON'));
      }
    });
  });
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  response.end(text);
}

function sendFile(response: ServerResponse, file: StaticFile, headOnly: boolean): void {
  response.writeHead(200, {
    'Content-Type': file.type,
    'Content-Length': file.body.length,
    'Cache-Control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  });
  response.end(headOnly ? undefined : file.body);
}
