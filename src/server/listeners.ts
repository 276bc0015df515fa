// The client-facing listeners (classic and framed) around a request handler: in the
// single-process server they sit beside the engine, in a gateway process they sit in front
// of a link to it. `stopAccepting` + `settled` + `close` make the graceful stop.

import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { DEFAULT_MAX_REQUEST_BYTES } from '../protocol/framing.js';
import { DEFAULT_XML_LIMITS, type XmlLimits } from '../protocol/xml-tree.js';
import {
  ClassicConnection,
  FramedConnection,
  type Connection,
  type ConnectionOptions,
} from './connections.js';
import type { ListenerKind, ListenerMetrics } from '../metrics/listener-metrics.js';
import { createRequestHandler, type Submit } from './request-handler.js';

export interface ListenerOptions {
  readonly log: Logger;
  readonly host?: string;
  /** Classic listener port; 0 picks a free one, null turns it off. */
  readonly port?: number | null;
  /** Framed listener port; 0 picks a free one, null turns it off. */
  readonly framedPort?: number | null;
  readonly maxRequestBytes?: number;
  readonly quietMs?: number;
  readonly maxPipelined?: number;
  readonly xmlLimits?: XmlLimits;
  readonly requestTimeoutMs?: number;
  readonly idleTimeoutMs?: number;
  readonly writeTimeoutMs?: number;
  /** Connections per listener beyond which new ones are closed at once (existing ones go on). */
  readonly maxConnections?: number;
  /** Where requests, latency and connections are counted; nothing is counted without. */
  readonly metrics?: ListenerMetrics;
}

export const LISTENER_DEFAULTS = {
  requestTimeoutMs: 10_000,
  idleTimeoutMs: 300_000,
  writeTimeoutMs: 30_000,
  maxConnections: 10_000,
} as const;

export interface Listeners {
  readonly host: string;
  /** Bound classic port, or null when off. */
  readonly port: number | null;
  /** Bound framed port, or null when off. */
  readonly framedPort: number | null;
  /** Stops accepting and reading; resolves when every request read so far is answered. */
  drain(): Promise<void>;
  /** Ends every connection (replies written still arrive) and closes the listeners. */
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host }, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startListeners(submit: Submit, options: ListenerOptions): Promise<Listeners> {
  const host = options.host ?? '0.0.0.0';
  const { metrics } = options;
  const handler = (listener: ListenerKind) =>
    createRequestHandler(
      submit,
      options.xmlLimits ?? DEFAULT_XML_LIMITS,
      options.log,
      metrics === undefined ? undefined : { metrics, listener },
    );
  const connectionOptions: ConnectionOptions = {
    maxRequestBytes: options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES,
    quietMs: options.quietMs ?? 1000,
    maxPipelined: options.maxPipelined ?? 1024,
    requestTimeoutMs: options.requestTimeoutMs ?? LISTENER_DEFAULTS.requestTimeoutMs,
    idleTimeoutMs: options.idleTimeoutMs ?? LISTENER_DEFAULTS.idleTimeoutMs,
    writeTimeoutMs: options.writeTimeoutMs ?? LISTENER_DEFAULTS.writeTimeoutMs,
  };
  let lastDropWarning = 0;
  const connections = new Set<Connection>();
  const servers: Server[] = [];

  const open = async (
    port: number | null | undefined,
    listener: ListenerKind,
    make: (socket: Socket) => Connection,
  ): Promise<number | null> => {
    if (port === null || port === undefined) return null;
    // allowHalfOpen: a client may send its request and half-close, and still get the reply.
    const server = createServer({ allowHalfOpen: true }, (socket) => {
      const connection = make(socket);
      connections.add(connection);
      metrics?.connectionOpened(listener);
      socket.on('close', () => {
        connections.delete(connection);
        metrics?.connectionClosed(listener);
      });
    });
    server.maxConnections = options.maxConnections ?? LISTENER_DEFAULTS.maxConnections;
    server.on('drop', () => {
      // At most one line a second however fast connections are refused.
      const now = Date.now();
      if (now - lastDropWarning < 1000) return;
      lastDropWarning = now;
      options.log.warn(
        { port: (server.address() as AddressInfo).port, maxConnections: server.maxConnections },
        'connection limit reached: refusing new connections',
      );
    });
    servers.push(server);
    return listen(server, port, host);
  };

  let port: number | null;
  let framedPort: number | null;
  try {
    const classic = handler('classic');
    port = await open(
      options.port,
      'classic',
      (s) => new ClassicConnection(s, classic, connectionOptions),
    );
    const framed = handler('framed');
    framedPort = await open(
      options.framedPort,
      'framed',
      (s) => new FramedConnection(s, framed, connectionOptions),
    );
  } catch (error) {
    for (const server of servers) server.close();
    throw error;
  }

  let closed: Promise<void>[] = [];
  return {
    host,
    port,
    framedPort,
    async drain() {
      closed = servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
      for (const c of connections) c.stopReading();
      await Promise.all([...connections].map((c) => c.settled()));
    },
    async close() {
      await Promise.all([...connections].map((c) => c.close(2000)));
      await Promise.all(closed);
    },
  };
}
