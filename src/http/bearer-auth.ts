// The bearer token of private routes, checked before the body is read, in constant time.

import { timingSafeEqual } from 'node:crypto';
import type { onRequestHookHandler } from 'fastify';
import { sendError } from './error-replies.js';
import { HttpError } from './http-errors.js';

/** The hook a private route runs first; with no token configured every request passes. */
export function bearerAuth(apiToken: string | undefined): onRequestHookHandler {
  if (apiToken === undefined) return (_request, _reply, done) => done();
  const token = Buffer.from(apiToken);
  return (request, reply, done) => {
    const header = request.headers.authorization ?? '';
    const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
    if (given.length === token.length && timingSafeEqual(given, token)) return done();
    sendError(reply, HttpError.code('UNAUTHORIZED'));
  };
}
