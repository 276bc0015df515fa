// Gateway processes of `serve --workers N` count their own requests, latency and connections;
// the engine's process asks each for its metrics over the cluster IPC channel and adds them
// up with its own (prom-client's aggregate: counters and histograms sum).

import cluster from 'node:cluster';
import type { Registry } from 'prom-client';

export type MetricsJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

interface MetricsAsk {
  readonly msg: 'metrics?';
  readonly id: number;
}

interface MetricsAnswer {
  readonly msg: 'metrics';
  readonly id: number;
  readonly metrics: MetricsJson;
}

/** In a gateway worker: answer the engine's process when it asks for this registry. */
export function answerMetricsAsks(read: () => Promise<MetricsJson>): void {
  process.on('message', (m: Partial<MetricsAsk>) => {
    if (m.msg !== 'metrics?' || typeof m.id !== 'number') return;
    const id = m.id;
    void read().then((metrics) => {
      const answer: MetricsAnswer = { msg: 'metrics', id, metrics };
      process.send?.(answer);
    });
  });
}

let nextAsk = 1;

/** In the primary: every live worker's metrics; one that does not answer in time is left out. */
export async function askWorkersForMetrics(timeoutMs = 500): Promise<MetricsJson[]> {
  if (!cluster.isPrimary) return [];
  const workers = Object.values(cluster.workers ?? {}).filter(
    (w) => w !== undefined && w.isConnected(),
  );
  const id = nextAsk++;
  return (
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<MetricsJson | null>((resolve) => {
            const onMessage = (m: Partial<MetricsAnswer>): void => {
              if (m.msg !== 'metrics' || m.id !== id) return;
              done(m.metrics ?? null);
            };
            const done = (metrics: MetricsJson | null): void => {
              clearTimeout(timer);
              worker!.off('message', onMessage);
              resolve(metrics);
            };
            const timer = setTimeout(() => done(null), timeoutMs);
            worker!.on('message', onMessage);
            const ask: MetricsAsk = { msg: 'metrics?', id };
            worker!.send(ask);
          }),
      ),
    )
  ).filter((m): m is MetricsJson => m !== null);
}
