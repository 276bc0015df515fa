// Every JSON API route, and the plugin that hands them to fastify with what each needs:
// its schemas (validation, serialization, documentation), its error replies as the
// OpenAPI document shows them, and the token check for private routes.

import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import type { ApiContext, ApiRoute } from './api-route.js';
import { errorResponses } from './openapi-document.js';
import { ACCOUNT_ROUTES } from './routes/account-routes.js';
import { MARKET_ROUTES } from './routes/market-routes.js';
import { ORDER_ROUTES } from './routes/order-routes.js';
import { SERVER_ROUTES } from './routes/server-routes.js';

export const API_ROUTES: readonly ApiRoute[] = [
  ...MARKET_ROUTES,
  ...ACCOUNT_ROUTES,
  ...ORDER_ROUTES,
  ...SERVER_ROUTES,
];

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The JSON API route's name, which request accounting labels its count with. */
    readonly apiRoute?: string;
  }
}

export interface ApiRoutesOptions {
  readonly context: ApiContext;
  /** Checks the bearer token; runs before the body is read, as the first hook of a private route. */
  readonly authorize: onRequestHookHandler;
}

export async function apiRoutes(app: FastifyInstance, options: ApiRoutesOptions): Promise<void> {
  for (const route of API_ROUTES) {
    const { request, doc } = route;
    app.route({
      method: route.method,
      url: route.url,
      config: { apiRoute: route.name },
      ...(route.private ? { onRequest: options.authorize } : {}),
      schema: {
        ...request,
        ...doc,
        ...(route.private ? { security: [{ bearerAuth: [] }] } : {}),
        response: { [route.status]: route.reply, ...errorResponses(route) },
      },
      handler: async (req, reply) => {
        reply.code(route.status);
        // Validated against the route's own schemas, which typed its handler.
        return route.handle(options.context, req as never);
      },
    });
  }
}
