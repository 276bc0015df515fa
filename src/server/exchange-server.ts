// Wiring: load the store, rebuild the engine, start the sequencer and the listeners.
// `stop` is the graceful path: stop accepting, answer and commit what was read, close.

import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { Exchange } from '../engine/exchange.js';
import { DEFAULT_MAX_REQUEST_BYTES } from '../protocol/framing.js';
import { DEFAULT_XML_LIMITS, type XmlLimits } from '../protocol/xml-tree.js';
import type { Store } from '../store/store.js';
import {
  ClassicConnection,
  FramedConnection,
  type Connection,
  type ConnectionOptions,
} from './connections.js';
import { createRequestHandler } from './request-handler.js';
import { Sequencer, type StoreFailure } from './sequencer.js';

export interface ExchangeServerOptions {
  readonly store: Store;
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
  /** Closed orders kept in memory; queries of older ones are answered from the store. */
  readonly historyCache?: number;
  /** Seconds since the epoch; injectable for tests. */
  readonly clock?: () => number;
  /** Called if the store fails: the process should exit (the engine is ahead of the store). */
  readonly onStoreFailure?: (failure: StoreFailure) => void;
}

export interface RunningExchange {
  /** The engine in charge now (a store recovery replaces it). */
  readonly engine: Exchange;
  readonly sequencer: Sequencer;
  /** Bound classic port, or null when off. */
  readonly port: number | null;
  /** Bound framed port, or null when off. */
  readonly framedPort: number | null;
  stop(): Promise<void>;
}

const wallClock = (): number => Math.floor(Date.now() / 1000);

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host }, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startExchangeServer(
  options: ExchangeServerOptions,
): Promise<RunningExchange> {
  const { store, log } = options;
  const host = options.host ?? '0.0.0.0';
  const started = Date.now();
  const snapshot = await store.load();
  const engine = Exchange.restore(snapshot);
  log.info(
    {
      store: store.description,
      accounts: snapshot.accounts.length,
      orders: snapshot.orders.length,
      ms: Date.now() - started,
    },
    'state loaded',
  );

  const sequencer = new Sequencer(
    engine,
    store,
    options.clock ?? wallClock,
    (failure, recoverable) => {
      if (recoverable) {
        log.error({ err: failure }, 'store failed: answering errors and reconnecting');
      } else {
        log.fatal({ err: failure }, 'store failed; no reply of the batch was sent');
        options.onStoreFailure?.(failure);
      }
    },
    options.historyCache,
  );
  const handle = createRequestHandler(sequencer, options.xmlLimits ?? DEFAULT_XML_LIMITS, log);
  const connectionOptions: ConnectionOptions = {
    maxRequestBytes: options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES,
    quietMs: options.quietMs ?? 1000,
    maxPipelined: options.maxPipelined ?? 1024,
  };
  const connections = new Set<Connection>();
  const servers: Server[] = [];

  const open = async (
    port: number | null | undefined,
    make: (socket: Socket) => Connection,
  ): Promise<number | null> => {
    if (port === null || port === undefined) return null;
    // allowHalfOpen: a client may send its request and half-close, and still get the reply.
    const server = createServer({ allowHalfOpen: true }, (socket) => {
      const connection = make(socket);
      connections.add(connection);
      socket.on('close', () => connections.delete(connection));
    });
    servers.push(server);
    return listen(server, port, host);
  };

  let port: number | null;
  let framedPort: number | null;
  try {
    port = await open(options.port, (s) => new ClassicConnection(s, handle, connectionOptions));
    framedPort = await open(
      options.framedPort,
      (s) => new FramedConnection(s, handle, connectionOptions),
    );
  } catch (error) {
    for (const server of servers) server.close();
    throw error;
  }
  log.info({ host, port, framedPort }, 'listening');

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      const closed = servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
      for (const c of connections) c.stopReading();
      await Promise.all([...connections].map((c) => c.settled()));
      await sequencer.idle();
      await Promise.all([...connections].map((c) => c.close(2000)));
      await Promise.all(closed);
      await store.close();
      log.info(sequencer.stats, 'stopped');
    })();
    return stopping;
  };

  sequencer.onRecovered = (ms) =>
    log.warn({ ms: Math.round(ms) }, 'store is back: state reloaded, serving');
  return {
    get engine() {
      return sequencer.currentEngine;
    },
    sequencer,
    port,
    framedPort,
    stop,
  };
}
