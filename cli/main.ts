// The `exchange` command.

import { Command, Option } from 'commander';
import { benchCommand } from './bench.js';
import { checkCommand } from './check.js';
import { inspectionReport, readSnapshot } from '../src/app/inspect.js';
import { loadCommand } from './load.js';
import {
  parseAddress,
  parseAddressList,
  parseCount,
  parsePort,
  parseFeeRate,
  parsePositiveInt,
} from './parsers.js';
import { DEFAULT_MAX_REQUEST_BYTES } from '../src/protocol/framing.js';
import { runEngine, runGateway, serve, type ServeOptions } from '../src/app/serve.js';
import { LISTENER_DEFAULTS } from '../src/server/listeners.js';
import { DEFAULT_HISTORY_CACHE, DEFAULT_MAX_PENDING } from '../src/sequencer/sequencer.js';
import { defaultDbSpec } from '../src/store/open-store.js';
import { DEFAULT_HTTP_PORT } from '../src/http/http-server.js';

const program = new Command();
program
  .name('exchange')
  .description(
    'An exchange matching server speaking the public exchange-matching XML protocol over TCP.',
  )
  .showHelpAfterError();

/** The client listeners' options: `serve` and `gateway`. */
function withListenOptions(command: Command): Command {
  return command
    .option('--host <address>', 'address to listen on', '0.0.0.0')
    .option(
      '--port <port>',
      'classic listener: one request per connection, plain XML reply, then close ("off" disables, 0 picks a free port)',
      parsePort,
      12345,
    )
    .option(
      '--framed-port <port>',
      'framed listener: persistent, pipelined, replies framed like requests ("off" disables, 0 picks a free port)',
      parsePort,
      12346,
    )
    .option(
      '--max-request-bytes <n>',
      'largest request body accepted; a longer length line is refused before any of the body is read',
      parsePositiveInt,
      DEFAULT_MAX_REQUEST_BYTES,
    )
    .option(
      '--request-timeout <seconds>',
      'a request must arrive whole within this long of its first byte (classic: of connecting), else it is refused and the connection closed',
      parsePositiveInt,
      LISTENER_DEFAULTS.requestTimeoutMs / 1000,
    )
    .option(
      '--idle-timeout <seconds>',
      'framed: a connection with nothing in flight is closed after this long without a byte',
      parsePositiveInt,
      LISTENER_DEFAULTS.idleTimeoutMs / 1000,
    )
    .option(
      '--write-timeout <seconds>',
      'a client that leaves its replies unread this long is disconnected',
      parsePositiveInt,
      LISTENER_DEFAULTS.writeTimeoutMs / 1000,
    )
    .option(
      '--max-connections <n>',
      'open connections per listener (and per gateway process) beyond which new ones are closed at once',
      parsePositiveInt,
      LISTENER_DEFAULTS.maxConnections,
    );
}

/** The engine's options: `serve` and `engine`. */
function withEngineOptions(command: Command): Command {
  return command
    .option(
      '--db <spec>',
      'store of record: sqlite:PATH (a file, created if missing), postgres://USER@HOST:PORT/DB, or memory: (nothing survives a restart); default DATABASE_URL if set, else sqlite:data/exchange.db',
      defaultDbSpec(),
    )
    .addOption(
      new Option(
        '--sync <mode>',
        'SQLite durability: full survives power loss; normal survives a crash of this process but may lose the last commits on power loss',
      )
        .choices(['full', 'normal'])
        .default('full'),
    )
    .option(
      '--history-cache <n>',
      'closed orders kept in memory; queries of older closed orders are answered from the store',
      parseCount,
      DEFAULT_HISTORY_CACHE,
    )
    .option(
      '--max-pending <n>',
      'requests waiting for the store beyond which new ones are refused with an overload error instead of queued',
      parsePositiveInt,
      DEFAULT_MAX_PENDING,
    )
    .option(
      '--maker-fee <rate>',
      'fee the resting side of each execution pays, as a fraction of the traded value (e.g. 0.001; default none)',
      parseFeeRate,
    )
    .option(
      '--taker-fee <rate>',
      'fee the incoming side of each execution pays, as a fraction of the traded value; at least the maker fee',
      parseFeeRate,
    )
    .option('--fee-account <id>', 'account the fees are credited to (created if missing)')
    .option(
      '--standby',
      'PostgreSQL only: if another engine leads the database, wait (listening on no port) and take over when it dies, instead of refusing to start',
      false,
    );
}

/** The HTTP side's options (JSON API, WebSocket feed, metrics, dashboard): `serve` and `engine`. */
function withHttpOptions(command: Command): Command {
  return command
    .option(
      '--http-port <port>',
      'JSON API, WebSocket feed (/ws), Prometheus metrics (/metrics) and the dashboard (/) ("off" disables, 0 picks a free port)',
      parsePort,
      DEFAULT_HTTP_PORT,
    )
    .option(
      '--http-host <address>',
      'address the HTTP side listens on: loopback unless you mean to expose it',
      '127.0.0.1',
    )
    .addOption(
      new Option(
        '--api-token <token>',
        'bearer token the account and order endpoints require (market data, stats and metrics stay open); prefer the environment variable, which ps does not show',
      ).env('EXCHANGE_API_TOKEN'),
    );
}

function withLogLevel(command: Command): Command {
  return command.addOption(
    new Option('--log-level <level>', 'log verbosity')
      .choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
  );
}

/** Runs a server role; a failure to start is one line on stderr and exit code 1. */
function starting<T>(name: string, run: (opts: T) => Promise<void>): (opts: T) => Promise<void> {
  return async (opts) => {
    try {
      await run(opts);
    } catch (error) {
      process.stderr.write(
        `exchange ${name}: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exit(1);
    }
  };
}

withLogLevel(
  withHttpOptions(
    withEngineOptions(
      withListenOptions(
        program
          .command('serve')
          .description(
            'Run the exchange on this machine: the matching engine and store, and the TCP listeners (in this process, or in --workers gateway processes).',
          ),
      ),
    ).option(
      '--workers <n>',
      'gateway processes that own the sockets and do framing and XML, in front of one engine process; 0 runs everything in one process',
      parseCount,
      0,
    ),
  ),
).action(starting('serve', (opts: ServeOptions) => serve(opts)));

withLogLevel(
  withHttpOptions(
    withEngineOptions(
      program
        .command('engine')
        .description(
          'Run only the matching engine and the store, serving gateways (exchange gateway) on a link port.',
        )
        .option(
          '--listen <address>',
          'HOST:PORT the gateways link to (0 picks a free port)',
          parseAddress,
          { host: '127.0.0.1', port: 12400 },
        ),
    ),
  ),
).action(starting('engine', runEngine));

withLogLevel(
  withListenOptions(
    program
      .command('gateway')
      .description(
        'Run only the client listeners, in front of an engine (exchange engine) that may be on another machine.',
      )
      .requiredOption(
        '--engine <addresses>',
        "HOST:PORT of the engine's link; several, comma-separated (a leader and its standbys), are dialled in turn and the gateway links to whichever leads",
        parseAddressList,
      ),
  ),
).action(starting('gateway', runGateway));

program
  .command('inspect')
  .description(
    'Print accounts, positions, open orders and totals from a store, and check that money and shares add up (exit code 1 if not). Safe beside a running server.',
  )
  .option('--db <spec>', 'sqlite:PATH or postgres://USER@HOST:PORT/DB', defaultDbSpec())
  .action(async (opts: { db: string }) => {
    try {
      const { description, snapshot } = await readSnapshot(opts.db);
      const report = inspectionReport(description, snapshot);
      process.stdout.write(report.text);
      process.exitCode = report.ok ? 0 : 1;
    } catch (error) {
      process.stderr.write(
        `exchange inspect: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exitCode = 2;
    }
  });

program.addCommand(loadCommand());
program.addCommand(benchCommand());
program.addCommand(checkCommand());

// Output piped into a reader that stops early (`| head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

await program.parseAsync(process.argv);
