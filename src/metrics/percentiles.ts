// Percentiles from Prometheus histogram buckets, for the stats view. Pure: tested alone.

/** Cumulative counts by upper bound (seconds), as a histogram's `_bucket` series gives them. */
export type Buckets = ReadonlyMap<number, number>;

/** Bucket counts of `now` minus those of `before`: what happened in between. */
export function bucketDelta(now: Buckets, before: Buckets | undefined): Map<number, number> {
  const delta = new Map<number, number>();
  // Counts only grow; a smaller one means a source restarted, so nothing is counted twice.
  for (const [le, count] of now) delta.set(le, Math.max(0, count - (before?.get(le) ?? 0)));
  return delta;
}

/**
 * The q-quantile (0 < q ≤ 1) in milliseconds, interpolated linearly inside its bucket; null
 * when there are no observations. Observations beyond the last finite bound report that bound.
 */
export function quantileMs(buckets: Buckets, q: number): number | null {
  const bounds = [...buckets.keys()].sort((a, b) => a - b);
  const total = buckets.get(Infinity) ?? (bounds.length > 0 ? buckets.get(bounds.at(-1)!)! : 0);
  if (total <= 0) return null;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const bound of bounds) {
    const count = buckets.get(bound)!;
    if (count >= rank) {
      if (bound === Infinity) return round(lowerBound * 1000);
      const within = count - lowerCount;
      const fraction = within === 0 ? 1 : (rank - lowerCount) / within;
      return round((lowerBound + (bound - lowerBound) * fraction) * 1000);
    }
    lowerBound = bound;
    lowerCount = count;
  }
  return round(lowerBound * 1000);
}

/** The upper bound of the highest bucket with an observation, in milliseconds. */
export function maxMs(buckets: Buckets): number | null {
  const bounds = [...buckets.keys()].sort((a, b) => a - b);
  let previousCount = 0;
  let highest: number | null = null;
  let previousBound = 0;
  for (const bound of bounds) {
    const count = buckets.get(bound)!;
    if (count > previousCount) highest = bound === Infinity ? previousBound : bound;
    previousCount = count;
    previousBound = bound;
  }
  return highest === null ? null : round(highest * 1000);
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;
