// `exchange check HOST:PORT`: the protocol conformance suite against any server of the
// public exchange-matching protocol (its classic port). Exit 0 when every spec check passes
// (and, with --strict, every decision check), 1 otherwise, 2 when it cannot run. The checks
// of this project's extensions run only when asked for, so that other servers are judged
// by the public protocol alone.

import { Command, InvalidArgumentError } from 'commander';
import { parseFeeSchedule, type FeeSchedule } from '../tools/check/money.js';
import { formatOutcome, formatSummary, runChecks } from '../tools/check/run-checks.js';
import { parseAddress, parsePositiveInt } from './parsers.js';

export function checkCommand(): Command {
  return new Command('check')
    .description(
      "Run the protocol conformance checks against a server's classic port (ours or anyone's): the worked example, create and transaction errors, reservations and refunds, cancels, fractions, framing, malformed input. One PASS/FAIL/WARN line per check; exit code 1 on a failure. Uses fresh account ids and symbols, so it can run against a server that holds data. The protocol it checks is docs/protocol.md in this project's repository.",
    )
    .argument(
      '<address>',
      'HOST:PORT of the classic listener (PORT alone: 127.0.0.1)',
      parseAddress,
    )
    .option('--strict', 'checks of our documented decisions fail instead of warning')
    .option('--timeout <ms>', 'how long to wait for each reply', parsePositiveInt, 5000)
    .option('--only <text>', 'run only the checks whose name contains this')
    .option(
      '--extensions',
      "also check this project's optional extensions (docs/extensions.md): tif, market and stop-limit orders, self-trade prevention, amend; against a server without fees",
    )
    .option(
      '--fees <maker,taker,account>',
      'the server was started with these fees (serve --maker-fee --taker-fee --fee-account): run the fee checks only, as every other check assumes no fees',
      (text: string): FeeSchedule => {
        try {
          return parseFeeSchedule(text);
        } catch (error) {
          throw new InvalidArgumentError((error as Error).message);
        }
      },
    )
    .action(
      async (
        address: { host: string; port: number },
        opts: {
          strict?: boolean;
          timeout: number;
          only?: string;
          extensions?: boolean;
          fees?: FeeSchedule;
        },
      ) => {
        try {
          const report = await runChecks(
            {
              ...address,
              strict: opts.strict === true,
              timeoutMs: opts.timeout,
              only: opts.only,
              extensions: opts.extensions === true,
              fees: opts.fees,
            },
            (outcome) => console.log(formatOutcome(outcome)),
          );
          console.log(`\n${formatSummary(report)}`);
          process.exitCode = report.ok ? 0 : 1;
        } catch (error) {
          process.stderr.write(
            `exchange check: ${error instanceof Error ? error.message : String(error)}\n`,
          );
          process.exitCode = 2;
        }
      },
    );
}
