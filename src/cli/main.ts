// The `exchange` command.

import { Command, Option } from 'commander';
import { createLogger } from '../log.js';
import { inspectionReport, readSnapshot } from './inspect.js';
import { loadCommand } from './load.js';
import { parseCount, parsePort, parsePositiveInt } from './parsers.js';
import { DEFAULT_MAX_REQUEST_BYTES } from '../protocol/framing.js';
import { startExchangeServer } from '../server/exchange-server.js';
import { DEFAULT_HISTORY_CACHE } from '../server/sequencer.js';
import { defaultDbSpec, openStore } from '../store/open-store.js';
import type { SyncMode } from '../store/sqlite-store.js';

interface ServeOptions {
  host: string;
  port: number | 'off';
  framedPort: number | 'off';
  db: string;
  sync: SyncMode;
  maxRequestBytes: number;
  historyCache: number;
  logLevel: string;
}

async function serve(opts: ServeOptions): Promise<void> {
  if (opts.port === 'off' && opts.framedPort === 'off') {
    throw new Error('both listeners are off: turn on --port or --framed-port');
  }
  const log = createLogger(opts.logLevel);
  const store = openStore(opts.db, { sync: opts.sync });
  const server = await startExchangeServer({
    store,
    log,
    host: opts.host,
    port: opts.port === 'off' ? null : opts.port,
    framedPort: opts.framedPort === 'off' ? null : opts.framedPort,
    maxRequestBytes: opts.maxRequestBytes,
    historyCache: opts.historyCache,
    onStoreFailure: () => process.exit(1),
  });
  let signals = 0;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (++signals > 1) {
      log.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    log.info({ signal }, 'stopping: finishing requests in flight');
    server.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

const program = new Command();
program
  .name('exchange')
  .description(
    'An exchange matching server speaking the public exchange-matching XML protocol over TCP.',
  )
  .showHelpAfterError();

program
  .command('serve')
  .description('Run the exchange: matching engine, store and both TCP listeners in this process.')
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
    '--max-request-bytes <n>',
    'largest request body accepted; a longer length line is refused before any of the body is read',
    parsePositiveInt,
    DEFAULT_MAX_REQUEST_BYTES,
  )
  .option(
    '--history-cache <n>',
    'closed orders kept in memory; queries of older closed orders are answered from the store',
    parseCount,
    DEFAULT_HISTORY_CACHE,
  )
  .addOption(
    new Option('--log-level <level>', 'log verbosity')
      .choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
  )
  .action(async (opts: ServeOptions) => {
    try {
      await serve(opts);
    } catch (error) {
      process.stderr.write(
        `exchange serve: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exit(1);
    }
  });

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

await program.parseAsync(process.argv);
