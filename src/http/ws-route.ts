// The feed's transport: @fastify/websocket upgrades GET /ws after the same hooks as any
// request (the host guard among them) and hands the socket to the WebSocketFeed.

import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import { sendError } from './error-replies.js';
import { HttpError } from './http-errors.js';
import { MAX_FEED_CLIENTS, type WebSocketFeed } from './ws-feed.js';

export const FEED_PATH = '/ws';
/** Client messages are small JSON objects. */
const MAX_MESSAGE_BYTES = 4096;

/** On the root instance: the plugin must see every route to keep upgrades off all but /ws. */
export async function installFeed(app: FastifyInstance, feed: WebSocketFeed): Promise<void> {
  await app.register(websocket, { options: { maxPayload: MAX_MESSAGE_BYTES } });
  // The plugin would upgrade at any route and then close the socket: an upgrade anywhere but
  // /ws is answered 404, as it always was.
  app.addHook('onRequest', async (request, reply) => {
    if (request.ws && request.routeOptions.url !== FEED_PATH) {
      return sendError(reply, HttpError.code('NOT_FOUND', request.url.split('?')[0]));
    }
  });
  // An upgrade refused before the plugin saw it (by the host guard) left a socket that no HTTP
  // parser reads any more: it is closed once the refusal is out, as the plugin does its own.
  app.addHook('onResponse', (request, _reply, done) => {
    if (!request.ws && request.headers.upgrade !== undefined) request.raw.socket.destroy();
    done();
  });
  app.route({
    method: 'GET',
    url: FEED_PATH,
    schema: { hide: true },
    // Refused before the upgrade: a full feed costs the engine nothing more.
    preValidation: async (_request, reply) => {
      if (feed.full) {
        return sendError(
          reply,
          HttpError.code('OVERLOADED', `at most ${MAX_FEED_CLIENTS} feed connections`),
        );
      }
    },
    // A plain GET of /ws is a path like any other with nothing there.
    handler: (_request, reply) => reply.callNotFound(),
    wsHandler: (socket) => feed.accept(socket),
  });
}
