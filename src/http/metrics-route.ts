// GET /metrics: Prometheus text, for scraping (with --workers, the gateways' figures too).

import type { FastifyInstance } from 'fastify';
import type { MetricsHub } from '../metrics/metrics-hub.js';

export async function metricsRoute(
  app: FastifyInstance,
  options: { readonly metrics: MetricsHub },
): Promise<void> {
  const { metrics } = options;
  app.route({
    method: ['GET', 'HEAD'],
    url: '/metrics',
    schema: { hide: true },
    handler: async (_request, reply) => {
      reply.type(metrics.contentType);
      return metrics.text();
    },
  });
}
