// The one-process exchange on PostgreSQL with its group commits fenced by the leader's epoch
// (as shipped) or not, for measuring what the fence costs side by side; nothing else uses
// the unfenced statement.
//   node --import tsx bench/fence-server.ts POSTGRES_URL fenced|unfenced

import { createLogger } from '../src/app/log.js';
import { startExchangeServer } from '../src/app/exchange-server.js';
import { PostgresStore } from '../src/store/postgres-store.js';

const [url, variant] = process.argv.slice(2);
if (url === undefined || (variant !== 'fenced' && variant !== 'unfenced')) {
  throw new Error('usage: fence-server.ts POSTGRES_URL fenced|unfenced');
}
const server = await startExchangeServer({
  store: new PostgresStore(url, { unfenced: variant === 'unfenced' }),
  log: createLogger('info'),
  host: '127.0.0.1',
  port: 0,
  framedPort: 0,
});
process.once('SIGTERM', () => void server.stop().then(() => process.exit(0)));
