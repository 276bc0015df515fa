// JSON replies are never cached (they are live state) nor sniffed as anything else.

import type { FastifyInstance } from 'fastify';

export const JSON_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
} as const;

export function installJsonHeaders(app: FastifyInstance): void {
  app.addHook('onSend', (_request, reply, payload, done) => {
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('application/json')) {
      reply.headers(JSON_HEADERS);
    }
    done(null, payload);
  });
}
