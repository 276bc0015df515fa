// Load drivers that speak the public protocol to any server: classic (a connection per
// request, reply read until the server closes) and framed (persistent connections, a window
// of pipelined requests each). They measure requests, errors and latency.

import { classicRequest } from '../client/classic-client.js';
import { FramedClient } from '../client/framed-client.js';
import { MixedFlow, type FlowStep } from './mixed-flow.js';

export interface LoadOptions {
  readonly port: number;
  readonly host?: string;
  /** Concurrent connections. */
  readonly connections: number;
  /** Framed only: requests in flight per connection. */
  readonly window?: number;
  readonly durationMs: number;
  /** The request source; every connection draws from it in turn. */
  readonly flow: MixedFlow;
  /** Only orders (no queries or cancels). */
  readonly ordersOnly?: boolean;
}

export interface LoadResult {
  requests: number;
  orders: number;
  errors: number;
  seconds: number;
  /** Latencies in microseconds, sorted ascending. */
  latenciesUs: number[];
}

const OPENED = /<opened [^>]*id="(\d+)"\/>/;

class Recorder {
  requests = 0;
  orders = 0;
  errors = 0;
  readonly latenciesUs: number[] = [];

  constructor(private readonly flow: MixedFlow) {}

  record(step: FlowStep, startedNs: bigint, reply: string): void {
    this.latenciesUs.push(Number(process.hrtime.bigint() - startedNs) / 1000);
    this.requests++;
    if (step.kind === 'order') {
      this.orders++;
      const m = OPENED.exec(reply);
      if (m !== null) this.flow.opened(step.account, Number(m[1]));
    }
    if (!reply.includes('</results>') && !reply.includes('<results/>')) this.errors++;
  }
}

function nextStep(options: LoadOptions): FlowStep {
  for (;;) {
    const step = options.flow.next();
    if (!options.ordersOnly || step.kind === 'order') return step;
  }
}

function finish(recorder: Recorder, startedMs: number): LoadResult {
  return {
    requests: recorder.requests,
    orders: recorder.orders,
    errors: recorder.errors,
    seconds: (performance.now() - startedMs) / 1000,
    latenciesUs: recorder.latenciesUs.sort((a, b) => a - b),
  };
}

export async function runClassicLoad(options: LoadOptions): Promise<LoadResult> {
  const recorder = new Recorder(options.flow);
  const started = performance.now();
  const deadline = started + options.durationMs;
  const loop = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const step = nextStep(options);
      const t0 = process.hrtime.bigint();
      try {
        const reply = await classicRequest(options.port, MixedFlow.xml(step), {
          host: options.host,
        });
        recorder.record(step, t0, reply);
      } catch {
        recorder.errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: options.connections }, loop));
  return finish(recorder, started);
}

export async function runFramedLoad(options: LoadOptions): Promise<LoadResult> {
  const recorder = new Recorder(options.flow);
  const window = options.window ?? 32;
  const clients = await Promise.all(
    Array.from({ length: options.connections }, () =>
      FramedClient.connect(options.port, options.host),
    ),
  );
  const started = performance.now();
  const deadline = started + options.durationMs;
  const lane = async (client: FramedClient): Promise<void> => {
    while (performance.now() < deadline) {
      const step = nextStep(options);
      const t0 = process.hrtime.bigint();
      try {
        recorder.record(step, t0, await client.request(MixedFlow.xml(step)));
      } catch {
        recorder.errors++;
        return;
      }
    }
  };
  await Promise.all(clients.flatMap((c) => Array.from({ length: window }, () => lane(c))));
  const result = finish(recorder, started);
  for (const c of clients) c.close();
  return result;
}
