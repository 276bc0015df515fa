// A load run's figures, and the summary `exchange load` prints.

import type { LoadResult } from './drivers.js';

export interface LoadSummary {
  requestsPerSecond: number;
  ordersPerSecond: number;
  requests: number;
  orders: number;
  failed: number;
  rejected: number;
  seconds: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  maxUs: number;
  checked: boolean;
  checkRequests: number;
  problems: string[];
}

/** The p-th percentile (0-100) of ascending values, by nearest rank. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function summarize(result: LoadResult): LoadSummary {
  const l = result.latenciesUs;
  return {
    requestsPerSecond: result.requests / result.seconds,
    ordersPerSecond: result.orders / result.seconds,
    requests: result.requests,
    orders: result.orders,
    failed: result.failed,
    rejected: result.rejected,
    seconds: result.seconds,
    p50Us: percentile(l, 50),
    p90Us: percentile(l, 90),
    p99Us: percentile(l, 99),
    maxUs: l[l.length - 1] ?? NaN,
    checked: result.checked,
    checkRequests: result.checkRequests,
    problems: result.problems,
  };
}

const count = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (us: number): string => (Number.isNaN(us) ? '-' : (us / 1000).toFixed(2));

export function formatSummary(s: LoadSummary): string {
  const lines = [
    `requests   ${count(s.requests)} in ${s.seconds.toFixed(2)} s = ${count(s.requestsPerSecond)}/s`,
    `orders     ${count(s.orders)} = ${count(s.ordersPerSecond)}/s`,
    `latency    p50 ${ms(s.p50Us)} ms  p90 ${ms(s.p90Us)} ms  p99 ${ms(s.p99Us)} ms  max ${ms(s.maxUs)} ms`,
    `failed     ${count(s.failed)} (no reply, or not a <results> document)`,
    `rejected   ${count(s.rejected)} (replies holding an <error>)`,
  ];
  if (s.checked && s.problems.length === 0) lines.push('check      passed');
  if (s.problems.length > 0) {
    lines.push(`check      FAILED, ${s.problems.length} problem(s):`);
    for (const p of s.problems.slice(0, 20)) lines.push(`  ${p}`);
    if (s.problems.length > 20) lines.push(`  … and ${s.problems.length - 20} more`);
  }
  return lines.join('\n') + '\n';
}
