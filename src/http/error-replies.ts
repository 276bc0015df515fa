// Every refusal leaves as {"error":{"code","message"}} with the status of the error table:
// our own errors, the engine's failures, fastify's refusals and unknown routes alike. Nothing
// a client sends may throw out of a handler: this runs in the engine's process.

import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { fromFastify } from './fastify-errors.js';
import { HttpError, httpFailureCode } from './http-errors.js';
import { JSON_HEADERS } from './json-headers.js';

const API_METHODS = ['GET', 'POST', 'PATCH', 'DELETE'] as const;

function asHttpError(error: FastifyError, request: FastifyRequest, log: Logger): HttpError {
  if (error instanceof HttpError) return error;
  const code = httpFailureCode(error);
  if (code !== undefined) return HttpError.code(code);
  const refused = fromFastify(error, request);
  if (refused !== undefined) return refused;
  if (error.statusCode !== undefined && error.statusCode < 500) {
    log.warn({ err: error, url: request.url.slice(0, 200) }, 'bad HTTP request');
    return HttpError.code('BAD_REQUEST');
  }
  log.error({ err: error }, 'API request failed');
  return HttpError.code('INTERNAL');
}

export function sendError(reply: FastifyReply, error: HttpError): FastifyReply {
  if (error.status === 401) reply.header('WWW-Authenticate', 'Bearer');
  return reply.code(error.status).send(error.body);
}

/**
 * A path that no route serves with this method: 405 and the methods it has, else 404. Only
 * the JSON API takes anything but GET and HEAD.
 */
function notFound(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply): void {
  const path = request.url.split('?')[0]!;
  const allowed = path.startsWith('/api/')
    ? API_METHODS.filter((method) => app.findRoute({ method, url: path }) !== null)
    : request.method === 'GET' || request.method === 'HEAD'
      ? []
      : ['GET', 'HEAD'];
  if (allowed.length === 0) return void sendError(reply, HttpError.code('NOT_FOUND', path));
  reply.header('Allow', allowed.join(', '));
  const detail = path.startsWith('/api/') ? `${request.method} ${path}` : undefined;
  sendError(reply, HttpError.code('METHOD_NOT_ALLOWED', detail));
}

/** For fastify's `frameworkErrors`: a URL its router cannot decode never reaches a route. */
export function frameworkErrors(log: Logger) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    log.warn({ err: error, url: request.url.slice(0, 200) }, 'bad HTTP request');
    // Outside any route, so without the hooks that add these.
    reply.headers(JSON_HEADERS);
    sendError(reply, HttpError.code('BAD_REQUEST'));
  };
}

/** For fastify's `clientErrorHandler`: what Node's parser refused gets a bare 400, as before. */
export function clientError(_error: Error, socket: Duplex): void {
  if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
}

export function installErrorReplies(app: FastifyInstance, log: Logger): void {
  app.setErrorHandler((error: FastifyError, request, reply) =>
    sendError(reply, asHttpError(error, request, log)),
  );
  app.setNotFoundHandler((request, reply) => notFound(app, request, reply));
}
