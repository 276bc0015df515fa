// `exchange load HOST:PORT`: drives any server of the public protocol with a scenario and
// prints what it measured. Exit code 0 when every request got a <results> reply and the
// scenario's check passed, 1 otherwise, 2 when the run could not start.

import { Command, InvalidArgumentError, Option } from 'commander';
import { deepWorkload } from '../tools/load/deep.js';
import { runLoad, type LoadMode, type LoadProgress } from '../tools/load/drivers.js';
import { MixedFlow, mixedWorkload } from '../tools/load/mixed-flow.js';
import { formatSummary, summarize } from '../tools/load/summary.js';
import { SwapWorkload } from '../tools/load/swap.js';
import type { Workload } from '../tools/load/workload.js';
import { parseAddress, parseCount, parsePositiveInt } from './parsers.js';

type Scenario = 'swap' | 'mixed' | 'deep';

interface LoadCliOptions {
  scenario: Scenario;
  mode: LoadMode;
  clients: number;
  window: number;
  duration?: number;
  requests?: number;
  rate?: number;
  accounts: number;
  symbols: number;
  depth: number;
  firstAccount?: number;
  seed: number;
  json: boolean;
  progress: boolean;
}

function parseSeconds(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || n <= 0) {
    throw new InvalidArgumentError('expected a number of seconds greater than 0');
  }
  return n;
}

function workloadFor(opts: LoadCliOptions, firstAccount: number): Workload {
  if (opts.scenario === 'swap') return new SwapWorkload({ firstAccount });
  const flow = new MixedFlow({
    accounts: opts.accounts,
    symbols: opts.symbols,
    seed: opts.seed,
    firstAccount,
  });
  return opts.scenario === 'deep' ? deepWorkload(flow, opts.depth) : mixedWorkload(flow);
}

function progressLine(p: LoadProgress, durationMs: number | undefined): string {
  const seconds = p.elapsedMs / 1000;
  const rate = Math.round(p.requests / Math.max(seconds, 0.001)).toLocaleString('en-US');
  let bar = '';
  if (durationMs !== undefined) {
    const done = Math.min(20, Math.round((p.elapsedMs / durationMs) * 20));
    bar = `[${'#'.repeat(done)}${'.'.repeat(20 - done)}] `;
  }
  return `\r${bar}${seconds.toFixed(1)} s  ${p.requests.toLocaleString('en-US')} requests  ${rate}/s  failed ${p.failed}  `;
}

export function loadCommand(): Command {
  return new Command('load')
    .description(
      'Drive a server of the public exchange protocol (ours or any other) with a scenario, and print requests/s, orders/s, latency percentiles and errors. Exit code 1 if a request failed or the scenario check did not pass.',
    )
    .argument(
      '<target>',
      'HOST:PORT (or PORT on 127.0.0.1) of the classic or framed listener',
      parseAddress,
    )
    .addOption(
      new Option(
        '--scenario <name>',
        "swap: the original server's test (pairs of users swap TELSA at 100; checked after); mixed: random orders around a mid price, queries and cancels; deep: a book of --depth resting orders first, then mixed",
      )
        .choices(['swap', 'mixed', 'deep'])
        .default('mixed'),
    )
    .addOption(
      new Option(
        '--mode <mode>',
        'classic: a connection per request; framed: persistent, pipelined',
      )
        .choices(['classic', 'framed'])
        .default('classic'),
    )
    .option('--clients <n>', 'concurrent connections', parsePositiveInt, 16)
    .option('--window <n>', 'framed: requests in flight per connection', parsePositiveInt, 32)
    .option(
      '--duration <seconds>',
      'how long to run (default 10 s unless --requests is given)',
      parseSeconds,
    )
    .option('--requests <n>', 'stop after about this many requests', parsePositiveInt)
    .option(
      '--rate <n>',
      'open loop: start n sessions per second on schedule, answered or not (default: closed loop, each client sends when answered)',
      parsePositiveInt,
    )
    .option('--accounts <n>', 'mixed and deep: accounts trading', parsePositiveInt, 100)
    .option('--symbols <n>', 'mixed and deep: symbols traded', parsePositiveInt, 4)
    .option(
      '--depth <n>',
      'deep: resting orders placed before the clock starts',
      parseCount,
      100_000,
    )
    .option(
      '--first-account <id>',
      'first account id this run creates (default: from the clock, so that runs against one server do not collide)',
      parseCount,
    )
    .option('--seed <n>', 'random seed of the mixed flow', parseCount, 1)
    .option('--json', 'print the summary as one JSON object', false)
    .option('--no-progress', 'no progress line on stderr')
    .action(async (target: { host: string; port: number }, opts: LoadCliOptions) => {
      const durationMs =
        opts.duration !== undefined
          ? opts.duration * 1000
          : opts.requests === undefined
            ? 10_000
            : undefined;
      const firstAccount = opts.firstAccount ?? Date.now() * 1000;
      const showProgress = opts.progress && process.stderr.isTTY === true;
      let result;
      try {
        result = await runLoad({
          mode: opts.mode,
          host: target.host,
          port: target.port,
          connections: opts.clients,
          window: opts.window,
          durationMs,
          requests: opts.requests,
          rate: opts.rate,
          workload: workloadFor(opts, firstAccount),
          onProgress: showProgress
            ? (p) => process.stderr.write(progressLine(p, durationMs))
            : undefined,
        });
      } catch (error) {
        process.stderr.write(
          `exchange load: ${error instanceof Error ? error.message : String(error)}\n`,
        );
        process.exitCode = 2;
        return;
      }
      if (showProgress) process.stderr.write('\n');
      const summary = summarize(result);
      process.stdout.write(
        opts.json
          ? JSON.stringify({ scenario: opts.scenario, mode: opts.mode, ...summary }) + '\n'
          : `${opts.scenario} scenario, ${opts.mode} mode, ${opts.clients} clients against ${target.host}:${target.port}\n${formatSummary(summary)}`,
      );
      process.exitCode = summary.failed > 0 || summary.problems.length > 0 ? 1 : 0;
    });
}
