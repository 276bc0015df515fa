// One process's metrics registry, plus the gateways' when this is the engine's process of
// `serve --workers N`: what /metrics prints and what the stats sampler reads.

import { AggregatorRegistry, collectDefaultMetrics, Registry } from 'prom-client';
import { askWorkersForMetrics, type MetricsJson } from './cluster-metrics.js';
import { ListenerMetrics } from './listener-metrics.js';

export interface MetricsHubOptions {
  /** Node's own process metrics (CPU, memory, event loop lag, GC): once per process. */
  readonly processMetrics?: boolean;
  /** Whether gateway workers of this process's cluster are asked for theirs. */
  readonly gateways?: boolean;
}

/**
 * Node's process metrics, collected once per process: each collection adds observers of its
 * own (garbage collection, event loop delay), and an engine may be started again in the same
 * process after it lost its leadership.
 */
let processRegistry: Registry | null = null;
function processMetrics(): Registry {
  if (processRegistry === null) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export class MetricsHub {
  /** This hub's own metrics (the process's are kept apart, once per process). */
  readonly registry = new Registry();
  readonly listeners = new ListenerMetrics(this.registry);
  private readonly gateways: boolean;
  /** Gateways that answered the last gathering. */
  gatewaysReporting = 0;

  private readonly withProcess: boolean;

  constructor(options: MetricsHubOptions = {}) {
    if (options.processMetrics === true) processMetrics();
    this.withProcess = options.processMetrics === true;
    this.gateways = options.gateways === true;
  }

  /** This hub's metrics and the process's, merged when asked (metrics join the hub later). */
  private own(): Registry {
    return this.withProcess ? Registry.merge([processMetrics(), this.registry]) : this.registry;
  }

  /** This process's metrics alone, as a gateway reports them to its engine. */
  ownMetrics(): Promise<MetricsJson> {
    return this.own().getMetricsAsJSON();
  }

  /** This process's metrics and its gateways', added up. */
  async gather(): Promise<MetricsJson> {
    const own = await this.ownMetrics();
    if (!this.gateways) return own;
    const theirs = await askWorkersForMetrics();
    this.gatewaysReporting = theirs.length;
    return AggregatorRegistry.aggregate([own, ...theirs]).getMetricsAsJSON();
  }

  /** The Prometheus text exposition of gather(). */
  async text(): Promise<string> {
    if (!this.gateways) return this.own().metrics();
    const theirs = await askWorkersForMetrics();
    this.gatewaysReporting = theirs.length;
    return AggregatorRegistry.aggregate([await this.ownMetrics(), ...theirs]).metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
