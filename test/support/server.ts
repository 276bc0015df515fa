import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/app/log.js';
import {
  startExchangeServer,
  type ExchangeServerOptions,
  type RunningExchange,
} from '../../src/app/exchange-server.js';
import { MemoryStore } from '../../src/store/memory-store.js';

/** A real server on 127.0.0.1 with both listeners on free ports. */
export function startTestServer(
  options: Partial<ExchangeServerOptions> = {},
): Promise<RunningExchange & { port: number; framedPort: number }> {
  return startExchangeServer({
    store: new MemoryStore(),
    log: silentLogger,
    host: '127.0.0.1',
    port: 0,
    framedPort: 0,
    ...options,
  }) as Promise<RunningExchange & { port: number; framedPort: number }>;
}

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(prefix = 'exchange-test-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
