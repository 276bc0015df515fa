// The engine process's front ends: the client listeners, the gateway link and the HTTP side,
// started together (all or none) and stopped in the order that loses no reply.

import type { Logger } from 'pino';
import type { Request, Result } from '../engine/commands.js';
import { startLinkServer, type LinkServer } from '../gateway/link-server.js';
import { startHttpServer, type HttpOptions, type HttpServer } from '../http/http-server.js';
import type { MarketFeed } from '../market/market-feed.js';
import type { MetricsHub } from '../metrics/metrics-hub.js';
import { StatsSampler } from '../metrics/stats-sampler.js';
import type { Sequencer } from '../sequencer/sequencer.js';
import { startListeners, type ListenerOptions } from '../server/listeners.js';
import { LEASE_MS } from '../store/leadership.js';
import type { Store } from '../store/store.js';

export interface FrontEndOptions extends ListenerOptions {
  readonly log: Logger;
  readonly store: Store;
  readonly sequencer: Sequencer;
  readonly submit: (request: Request) => Promise<Result[]>;
  readonly market: MarketFeed;
  readonly hub: MetricsHub;
  readonly link?: { readonly host: string; readonly port: number };
  readonly http?: HttpOptions;
}

export interface FrontEnds {
  readonly ports: {
    readonly port: number | null;
    readonly framedPort: number | null;
    readonly linkPort: number | null;
    readonly httpPort: number | null;
  };
  /** Answers what the HTTP side and the listeners have read; accepts nothing new. */
  stopAccepting(): Promise<void>;
  close(): Promise<void>;
}

export async function startFrontEnds(options: FrontEndOptions): Promise<FrontEnds> {
  const { log, sequencer, submit, hub } = options;
  const listeners = await startListeners(submit, { ...options, metrics: hub.listeners });
  let link: LinkServer | null = null;
  let http: HttpServer | null = null;
  try {
    if (options.link !== undefined) {
      // One whose store has been lost for a lease may have been replaced: it stops answering
      // gateways' pings, so they go to the engine that took over.
      const healthy = (): boolean => sequencer.failedForMs < LEASE_MS;
      link = await startLinkServer(submit, { ...options.link, log, healthy });
    }
    if (options.http !== undefined) {
      http = await startHttpServer(options.http, {
        sequencer,
        store: options.store,
        market: options.market,
        submit,
        metrics: hub,
        sampler: new StatsSampler(hub),
        log,
      });
    }
  } catch (error) {
    await listeners.drain();
    await listeners.close();
    await link?.close();
    throw error;
  }
  const { host, port, framedPort } = listeners;
  const linkPort = link?.port ?? null;
  const httpPort = http?.port ?? null;
  log.info(
    {
      host,
      port,
      framedPort,
      ...(link === null ? {} : { linkPort }),
      ...(http === null ? {} : { httpHost: options.http?.host, httpPort }),
    },
    'listening',
  );
  return {
    ports: { port, framedPort, linkPort, httpPort },
    async stopAccepting() {
      await http?.close();
      await listeners.drain();
    },
    async close() {
      await Promise.all([listeners.close(), link?.close()]);
    },
  };
}
