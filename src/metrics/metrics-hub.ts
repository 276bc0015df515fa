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

export class MetricsHub {
  readonly registry = new Registry();
  readonly listeners = new ListenerMetrics(this.registry);
  private readonly gateways: boolean;
  /** Gateways that answered the last gathering. */
  gatewaysReporting = 0;

  constructor(options: MetricsHubOptions = {}) {
    if (options.processMetrics === true) collectDefaultMetrics({ register: this.registry });
    this.gateways = options.gateways === true;
  }

  /** This process's metrics and its gateways', added up. */
  async gather(): Promise<MetricsJson> {
    const own = await this.registry.getMetricsAsJSON();
    if (!this.gateways) return own;
    const theirs = await askWorkersForMetrics();
    this.gatewaysReporting = theirs.length;
    return AggregatorRegistry.aggregate([own, ...theirs]).getMetricsAsJSON();
  }

  /** The Prometheus text exposition of gather(). */
  async text(): Promise<string> {
    if (!this.gateways) return this.registry.metrics();
    const theirs = await askWorkersForMetrics();
    this.gatewaysReporting = theirs.length;
    return AggregatorRegistry.aggregate([
      await this.registry.getMetricsAsJSON(),
      ...theirs,
    ]).metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
