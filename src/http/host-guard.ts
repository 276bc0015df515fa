// Bound to loopback, the HTTP side answers only requests addressed to loopback: a web page
// elsewhere cannot reach it through DNS rebinding (a name of its own resolving to 127.0.0.1).
// WebSocket upgrades pass through here too.

import type { FastifyInstance } from 'fastify';
import { sendError } from './error-replies.js';
import { HttpError } from './http-errors.js';

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

/** First of all hooks: a refused request is not counted, authorized or read. */
export function installHostGuard(app: FastifyInstance, boundTo: string): void {
  if (!isLoopback(boundTo)) return;
  app.addHook('onRequest', async (request, reply) => {
    if (!isLoopbackHostHeader(request.headers.host)) {
      return sendError(reply, HttpError.code('HOST_NOT_ALLOWED'));
    }
  });
}
