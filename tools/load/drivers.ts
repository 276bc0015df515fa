// Load drivers that speak the public protocol to any server: classic (a connection per
// request, reply read until the server closes) and framed (persistent connections, a window
// of pipelined requests each). They run a workload's sessions on concurrent lanes and
// measure requests, orders, failures, rejections and latency.

import { classicRequest } from '../client/classic-client.js';
import { FramedClient } from '../client/framed-client.js';
import { isResultsReply, type Send, type Workload } from './workload.js';

export type LoadMode = 'classic' | 'framed';

export interface LoadOptions {
  readonly mode: LoadMode;
  readonly port: number;
  readonly host?: string;
  /** Concurrent connections (classic: requests in flight). */
  readonly connections: number;
  /** Framed only: requests in flight per connection. */
  readonly window?: number;
  /** Stop starting sessions after this long (ms)... */
  readonly durationMs?: number;
  /** ...or once this many requests were sent; without either, when the workload ends. */
  readonly requests?: number;
  /**
   * Open loop: start this many sessions per second on schedule, whether or not earlier ones
   * were answered (latency then includes any queueing in the server, as a user sees it).
   * Without it the load is closed loop: each lane starts its next session when one ends.
   */
  readonly rate?: number;
  readonly workload: Workload;
  /** Called about every `progressMs` while the clock runs. */
  readonly onProgress?: (progress: LoadProgress) => void;
  readonly progressMs?: number;
}

export interface LoadProgress {
  readonly elapsedMs: number;
  readonly requests: number;
  readonly failed: number;
}

export interface LoadResult {
  requests: number;
  orders: number;
  /** No reply, or a reply that is not a `<results>` document. */
  failed: number;
  /** Replies holding an `<error>`: the server refused the request or a part of it. */
  rejected: number;
  seconds: number;
  /** Latencies in microseconds, sorted ascending. */
  latenciesUs: number[];
  /** Whether the workload checked the server's state after the run. */
  checked: boolean;
  /** Requests the check sent (not counted in `requests` nor timed). */
  checkRequests: number;
  /** What that check found (empty: all good, or no check). */
  problems: string[];
}

class Recorder {
  requests = 0;
  orders = 0;
  failed = 0;
  rejected = 0;
  readonly latenciesUs: number[] = [];

  /** Wraps a transport's send so that every request is counted and timed. */
  counting(send: (xml: string) => Promise<string>): Send {
    return async (xml, isOrder) => {
      const t0 = process.hrtime.bigint();
      this.requests++;
      if (isOrder) this.orders++;
      try {
        const reply = await send(xml);
        this.latenciesUs.push(Number(process.hrtime.bigint() - t0) / 1000);
        if (!isResultsReply(reply)) this.failed++;
        else if (reply.includes('<error')) this.rejected++;
        return reply;
      } catch (error) {
        this.failed++;
        throw error;
      }
    };
  }
}

/** The transport of one mode: a sender per lane, and how to end. */
interface Transport {
  readonly lanes: ((xml: string) => Promise<string>)[];
  readonly setup: (xml: string) => Promise<string>;
  close(): void;
}

async function openTransport(options: LoadOptions): Promise<Transport> {
  const host = options.host ?? '127.0.0.1';
  if (options.mode === 'classic') {
    const send = (xml: string): Promise<string> => classicRequest(options.port, xml, { host });
    return {
      lanes: Array.from({ length: options.connections }, () => send),
      setup: send,
      close: () => {},
    };
  }
  const clients = await Promise.all(
    Array.from({ length: options.connections }, () => FramedClient.connect(options.port, host)),
  );
  const window = options.window ?? 32;
  return {
    lanes: clients.flatMap((c) =>
      Array.from({ length: window }, () => (x: string) => c.request(x)),
    ),
    setup: (xml) => clients[0]!.request(xml),
    close: () => clients.forEach((c) => c.close()),
  };
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const transport = await openTransport(options);
  try {
    for (const xml of options.workload.setup()) {
      const reply = await transport.setup(xml);
      if (!isResultsReply(reply)) throw new Error(`setup request failed: ${reply.slice(0, 200)}`);
    }
    const recorder = new Recorder();
    const started = performance.now();
    const deadline = options.durationMs === undefined ? Infinity : started + options.durationMs;
    const limit = options.requests ?? Infinity;
    const progress = setInterval(
      () =>
        options.onProgress?.({
          elapsedMs: performance.now() - started,
          requests: recorder.requests,
          failed: recorder.failed,
        }),
      options.progressMs ?? 500,
    );
    const lane = async (send: Send): Promise<void> => {
      while (performance.now() < deadline && recorder.requests < limit) {
        const session = options.workload.nextSession();
        if (session === null) return;
        try {
          await session(send);
        } catch {
          // Counted as failed by the recorder; a broken connection ends the lane.
          if (options.mode === 'framed') return;
        }
      }
    };
    const sends = transport.lanes.map((l) => recorder.counting(l));
    try {
      if (options.rate === undefined) await Promise.all(sends.map(lane));
      else
        await openLoop(
          options.rate,
          sends,
          options.workload,
          () => performance.now() < deadline && recorder.requests < limit,
        );
    } finally {
      clearInterval(progress);
    }
    const seconds = (performance.now() - started) / 1000;
    let checkRequests = 0;
    const problems =
      options.workload.verify === undefined
        ? []
        : await options.workload.verify((xml) => {
            checkRequests++;
            return transport.setup(xml);
          });
    return {
      requests: recorder.requests,
      orders: recorder.orders,
      failed: recorder.failed,
      rejected: recorder.rejected,
      seconds,
      latenciesUs: recorder.latenciesUs.sort((a, b) => a - b),
      checked: options.workload.verify !== undefined,
      checkRequests,
      problems,
    };
  } finally {
    transport.close();
  }
}

/**
 * Starts sessions at `rate` per second, each on the next lane in turn, until `more` says
 * stop; resolves when every session started has ended. The schedule is kept by counting
 * what is due since the start, so a late timer is caught up, not lost.
 */
async function openLoop(
  rate: number,
  sends: readonly Send[],
  workload: Workload,
  more: () => boolean,
): Promise<void> {
  const running = new Set<Promise<void>>();
  const started = performance.now();
  let startedSessions = 0;
  let next = 0;
  while (more()) {
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    for (; startedSessions < due && more(); startedSessions++) {
      const session = workload.nextSession();
      if (session === null) return void (await Promise.all(running));
      const send = sends[next++ % sends.length]!;
      const done: Promise<void> = session(send)
        .catch(() => {}) // counted as failed by the recorder
        .finally(() => running.delete(done));
      running.add(done);
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(running);
}
