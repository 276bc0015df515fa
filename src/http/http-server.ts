// The HTTP side of the exchange, beside the XML listeners: the JSON API, the WebSocket feed,
// Prometheus metrics and the dashboard, on one port (loopback by default). It runs in the
// engine's process: every read and write goes through the one sequencer.

import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { MetricsHub } from '../metrics/metrics-hub.js';
import type { StatsSampler } from '../metrics/stats-sampler.js';
import type { ApiContext } from './api-route.js';
import { buildApp } from './app.js';
import { isLoopback } from './host-guard.js';
import { RequestAccounting } from './request-accounting.js';
import { DASHBOARD_DIR } from './static-files.js';
import { WebSocketFeed } from './ws-feed.js';

export { isLoopback } from './host-guard.js';

export const DEFAULT_HTTP_PORT = 8080;
/** How long a stop waits for API requests in flight. */
const STOP_GRACE_MS = 5_000;

export interface HttpOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** When set, account and order endpoints need `Authorization: Bearer <token>`. */
  readonly apiToken?: string;
  /** The built dashboard's folder (tests may point elsewhere). */
  readonly dashboardDir?: string;
}

export interface HttpServer {
  readonly port: number;
  readonly feed: WebSocketFeed;
  close(): Promise<void>;
}

export interface HttpDependencies extends Omit<ApiContext, 'stats'> {
  readonly metrics: MetricsHub;
  readonly sampler: StatsSampler;
  readonly log: Logger;
}

export async function startHttpServer(
  options: HttpOptions,
  deps: HttpDependencies,
): Promise<HttpServer> {
  if (!isLoopback(options.host) && options.apiToken === undefined) {
    throw new Error(
      `--http-host ${options.host} is not loopback: set --api-token (or EXCHANGE_API_TOKEN), or anyone who reaches it can trade for every account`,
    );
  }
  const { sequencer, store, market, submit, sampler } = deps;
  const api: ApiContext = { sequencer, store, market, submit, stats: () => sampler.latest() };
  const feed = new WebSocketFeed(sequencer, market, sampler);
  const accounting = new RequestAccounting(deps.metrics.registry);
  const app = await buildApp(
    {
      host: options.host,
      apiToken: options.apiToken,
      dashboardDir: options.dashboardDir ?? DASHBOARD_DIR,
    },
    { api, feed, metrics: deps.metrics, accounting, log: deps.log },
  );
  try {
    await app.listen({ port: options.port, host: options.host });
  } catch (error) {
    feed.close();
    await app.close();
    throw error;
  }
  deps.sampler.start();
  return {
    port: (app.server.address() as AddressInfo).port,
    feed,
    // Stops accepting, answers the requests in flight (an order waiting for its commit gets
    // its reply), then ends every connection; feed clients get a close frame first.
    close: async () => {
      feed.close();
      deps.sampler.stop();
      const closed = app.close();
      const deadline = Date.now() + STOP_GRACE_MS;
      while (accounting.busy && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      app.server.closeAllConnections();
      await closed;
    },
  };
}
