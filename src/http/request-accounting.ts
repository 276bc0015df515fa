// Counts JSON API replies by route and status (exchange_http_requests_total) and knows how
// many requests are being answered, so a stop can wait for them.

import type { FastifyInstance } from 'fastify';
import { Counter, type Registry } from 'prom-client';

export class RequestAccounting {
  private inFlight = 0;
  private readonly served: Counter<'route' | 'status'>;

  constructor(registry: Registry) {
    this.served = new Counter({
      name: 'exchange_http_requests_total',
      help: 'JSON API requests answered, by route and HTTP status.',
      labelNames: ['route', 'status'] as const,
      registers: [registry],
    });
  }

  get busy(): boolean {
    return this.inFlight > 0;
  }

  /** After the host guard: requests it refused are neither in flight nor counted. */
  install(app: FastifyInstance): void {
    app.addHook('onRequest', (request, reply, done) => {
      // A feed connection lasts until it closes; stopping closes it first.
      if (request.headers.upgrade !== undefined) return done();
      this.inFlight++;
      // 'close' also comes when the client goes away before the reply: onResponse would not.
      reply.raw.once('close', () => this.inFlight--);
      done();
    });
    app.addHook('onResponse', (request, reply, done) => {
      if (request.url.startsWith('/api/')) {
        const status = reply.statusCode;
        // Refusals are counted under one label: a matched route's name says what succeeded.
        const name = request.routeOptions.config.apiRoute;
        this.served.inc({ route: status < 400 && name !== undefined ? name : 'error', status });
      }
      done();
    });
  }
}
