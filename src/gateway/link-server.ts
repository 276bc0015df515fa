// The engine's end of the gateway link. Each gateway sends batches of (id, request); every
// request of a batch is submitted in the same turn, so they join one engine batch, and the
// answers go back in batches too, each once its results are durable. Pings are answered at
// once.

import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { Submit } from '../server/request-handler.js';
import { decodeRequest, encodeResult, linkFailureCode, type Wire } from './codec.js';
import { encodeFrame, FrameReader } from './frames.js';

export interface LinkServer {
  readonly host: string;
  readonly port: number;
  /** Stops accepting and ends every gateway link. */
  close(): Promise<void>;
}

function serveGateway(socket: Socket, submit: Submit, log: Logger, healthy: () => boolean): void {
  socket.setNoDelay(true);
  const reader = new FrameReader();
  let answers: Wire[] = ['A'];
  let flushScheduled = false;
  const answer = (id: number, payload: Wire): void => {
    answers.push(id, payload);
    if (flushScheduled) return;
    flushScheduled = true;
    setImmediate(() => {
      flushScheduled = false;
      const batch = answers;
      answers = ['A'];
      if (!socket.destroyed) socket.write(encodeFrame(batch));
    });
  };
  socket.on('data', (chunk: Buffer) => {
    let messages: Wire[];
    try {
      messages = reader.push(chunk);
    } catch (error) {
      log.error({ err: error }, 'gateway link broken: closing it');
      socket.destroy();
      return;
    }
    for (const message of messages) {
      const m = message as Wire[];
      // A gateway's ping: answered at once while this engine can serve. One whose store has
      // been lost for a lease may have been replaced: its silence sends gateways elsewhere.
      if (m[0] === 'P') {
        if (healthy()) socket.write(encodeFrame(['Q']));
        continue;
      }
      for (let i = 1; i + 1 < m.length; i += 2) {
        const id = m[i] as number;
        submit(decodeRequest(m[i + 1]!)).then(
          (results) => answer(id, results.map(encodeResult)),
          (error: unknown) => {
            const code = linkFailureCode(error);
            if (code === undefined) log.error({ err: error }, 'request failed');
            answer(id, code ?? 'INTERNAL');
          },
        );
      }
    }
  });
  socket.on('error', () => socket.destroy());
}

/** How long a gateway link may take to close before it is cut. */
const CLOSE_GRACE_MS = 2_000;

export function startLinkServer(
  submit: Submit,
  options: { host: string; port: number; log: Logger; healthy?: () => boolean },
): Promise<LinkServer> {
  const healthy = options.healthy ?? (() => true);
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    options.log.info({ gateway: `${socket.remoteAddress}:${socket.remotePort}` }, 'gateway linked');
    serveGateway(socket, submit, options.log, healthy);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: options.host, port: options.port }, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      resolve({
        host: options.host,
        port: address.port,
        close: () =>
          new Promise<void>((done) => {
            // A gateway that never answers the close (paused, its machine gone) must not
            // hold a stopping or deposed engine open.
            for (const s of sockets) {
              s.end();
              setTimeout(() => s.destroy(), CLOSE_GRACE_MS).unref();
            }
            server.close(() => done());
          }),
      });
    });
  });
}
