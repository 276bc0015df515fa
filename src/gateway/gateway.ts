// A gateway: the client listeners (sockets, framing, XML decode and encode) in front of a
// link to the engine, which may run in another process or on another machine. It keeps no
// state: any number of gateways can serve one engine.

import type { Logger } from 'pino';
import { EngineLink, type EngineAddress } from './engine-link.js';
import { startListeners, type ListenerOptions } from '../server/listeners.js';

export interface GatewayOptions extends ListenerOptions {
  readonly log: Logger;
  /** The engines that may lead, dialled in turn: the leader is the one that listens. */
  readonly engines: readonly EngineAddress[];
}

export interface RunningGateway {
  readonly port: number | null;
  readonly framedPort: number | null;
  readonly link: EngineLink;
  /** Stops accepting, answers every request read, closes. */
  stop(): Promise<void>;
}

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const link = new EngineLink(options.engines, options.log);
  await link.start();
  const listeners = await startListeners((request) => link.submit(request), options);
  options.log.info(
    { host: listeners.host, port: listeners.port, framedPort: listeners.framedPort },
    'listening',
  );
  let stopping: Promise<void> | null = null;
  return {
    port: listeners.port,
    framedPort: listeners.framedPort,
    link,
    stop() {
      stopping ??= (async () => {
        await listeners.drain();
        await listeners.close();
        link.close();
      })();
      return stopping;
    },
  };
}
