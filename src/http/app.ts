// The HTTP side assembled: one fastify instance, each concern installed by its own unit, in
// the order requests meet them (host guard, accounting, then routes).

import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { MetricsHub } from '../metrics/metrics-hub.js';
import type { ApiContext } from './api-route.js';
import { apiRoutes } from './api-routes.js';
import { bearerAuth } from './bearer-auth.js';
import { clientError, frameworkErrors, installErrorReplies } from './error-replies.js';
import { MAX_BODY_BYTES } from './fastify-errors.js';
import { installHostGuard } from './host-guard.js';
import { installJsonHeaders } from './json-headers.js';
import { metricsRoute } from './metrics-route.js';
import { openApiDocument } from './openapi-document.js';
import { RequestAccounting } from './request-accounting.js';
import { installStaticFiles } from './static-files.js';
import { validatorCompiler } from './validators.js';
import type { WebSocketFeed } from './ws-feed.js';
import { installFeed } from './ws-route.js';

/** Open HTTP connections (WebSockets included) beyond which new ones are refused. */
const MAX_HTTP_CONNECTIONS = 2_000;

export interface AppOptions {
  /** The address it listens on: loopback turns the host guard on. */
  readonly host: string;
  readonly apiToken: string | undefined;
  readonly dashboardDir: string;
}

export interface AppParts {
  readonly api: ApiContext;
  readonly feed: WebSocketFeed;
  readonly metrics: MetricsHub;
  readonly accounting: RequestAccounting;
  readonly log: Logger;
}

export async function buildApp(options: AppOptions, parts: AppParts): Promise<FastifyInstance> {
  const app = Fastify({
    bodyLimit: MAX_BODY_BYTES,
    // Keep-alive connections would hold a graceful stop open for their idle timeout.
    keepAliveTimeout: 5_000,
    // Slow clients are cut off as on the XML listeners.
    requestTimeout: 10_000,
    // A HEAD of the API is refused as before (405); the dashboard and /metrics declare theirs.
    exposeHeadRoutes: false,
    // A stop answers what is in flight and what arrives while it waits (see http-server.ts).
    return503OnClosing: false,
    frameworkErrors: frameworkErrors(parts.log),
    clientErrorHandler: clientError,
  });
  // A client that half-closes after its request still gets the reply, a streamed file too
  // (Node's http.Server has the switch, its types do not).
  (app.server as typeof app.server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  app.server.headersTimeout = 10_000;
  app.server.maxConnections = MAX_HTTP_CONNECTIONS;
  app.setValidatorCompiler(validatorCompiler);
  // Bodies are JSON or refused (415): fastify would read text/plain too.
  app.removeContentTypeParser('text/plain');

  installHostGuard(app, options.host);
  parts.accounting.install(app);
  installJsonHeaders(app);
  installErrorReplies(app, parts.log);
  // Before any route, so that the document sees them all.
  await openApiDocument(app);
  await installFeed(app, parts.feed);
  await app.register(apiRoutes, { context: parts.api, authorize: bearerAuth(options.apiToken) });
  await app.register(metricsRoute, { metrics: parts.metrics });
  await installStaticFiles(app, options.dashboardDir, parts.log);
  return app;
}
