// The PostgreSQL store's thread. Requests are handled one at a time, in order; commits that
// queue up while one is being written are merged into the next statement. After a failed
// write every commit fails with the same error until `reset`: nothing after a lost commit
// may be written, because the engine will reload from what the database has. While the
// engine leads and nothing is being written, a heartbeat keeps its leadership fresh and
// notices a lost connection or a takeover before the next request does.

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { failureCode } from '../errors/failures.js';
import { unpackChangeSet } from './change-set-codec.js';
import { mergeChangeSets } from '../engine/merge-changes.js';
import { LEASE_MS } from './leadership.js';
import { HEARTBEAT_MS } from './postgres-leadership.js';
import { PostgresWriter } from './postgres-writer.js';
import {
  errorMessage,
  type WorkerEvent,
  type WorkerReply,
  type WorkerRequest,
} from './store-worker.js';

const { url, description, unfenced, engineAlive } = workerData as {
  url: string;
  description: string;
  unfenced?: boolean;
  /** The engine thread's last sign of life (Date.now()), 0 until it serves. */
  engineAlive: SharedArrayBuffer;
};
const alive = new Float64Array(engineAlive);
const port: MessagePort = parentPort!;
const writer = new PostgresWriter({
  url,
  description,
  // This store's writer, not just this process: an engine started again in the same process
  // (deposed, then a standby) is another holder, and so is a second store in a test.
  holder: `${hostname()}:${process.pid}/${randomBytes(3).toString('hex')}`,
  unfenced,
});
type Job = WorkerRequest | { readonly type: 'heartbeat' };
const queue: Job[] = [];
let running = false;
let failed: { error: string; code?: string } | null = null;
let lastWrite = 0;

const failure = (error: unknown): { error: string; code?: string } => ({
  error: errorMessage(error),
  code: failureCode(error),
});

async function handle(request: WorkerRequest): Promise<unknown> {
  switch (request.type) {
    case 'ready': {
      let lastRetry = '';
      const epoch = await writer.open(request.mode, {
        cancelled: () => queue.some((r) => r.type === 'close'),
        waiting: (leader) => port.postMessage({ event: 'waiting', leader } satisfies WorkerEvent),
        // Told once per distinct reason, not on every look.
        retrying: (error) => {
          const message = errorMessage(error);
          if (message !== lastRetry) port.postMessage({ event: 'retrying', error: message });
          lastRetry = message;
        },
      });
      lastWrite = Date.now();
      return { epoch, hostUrl: writer.hostUrl };
    }
    case 'commit':
      throw new Error('commits are handled in groups');
    case 'reset':
      failed = null;
      await writer.end(false);
      return undefined;
    case 'close':
      await writer.end(true);
      return undefined;
  }
}

async function commitGroup(): Promise<WorkerReply> {
  let count = 0;
  while (count < queue.length && queue[count]!.type === 'commit') count++;
  const group = queue.splice(0, count) as Extract<WorkerRequest, { type: 'commit' }>[];
  if (failed !== null) return { ok: false, count, ...failed };
  try {
    const merged = mergeChangeSets(group.map((r) => unpackChangeSet(r.changes)));
    const started = performance.now();
    await writer.write(merged);
    const writeMs = performance.now() - started;
    lastWrite = Date.now();
    return { ok: true, count, writeMs };
  } catch (error) {
    const refused = failure(error);
    // The groups queued behind it are refused unsent: their outcome is known.
    failed = { error: refused.error, code: refused.code === 'FENCED' ? 'FENCED' : undefined };
    return { ok: false, count, ...refused };
  }
}

async function beat(): Promise<void> {
  try {
    await writer.heartbeat();
    lastWrite = Date.now();
  } catch (error) {
    failed = failure(error);
    port.postMessage({ event: 'lost', ...failed } satisfies WorkerEvent);
  }
}

async function run(): Promise<void> {
  running = true;
  while (queue.length > 0) {
    const job = queue[0]!;
    if (job.type === 'commit') {
      port.postMessage(await commitGroup());
      continue;
    }
    queue.shift();
    if (job.type === 'heartbeat') {
      await beat();
      continue;
    }
    try {
      const value = await handle(job);
      port.postMessage({ ok: true, count: 1, value } satisfies WorkerReply);
    } catch (error) {
      port.postMessage({ ok: false, count: 1, ...failure(error) } satisfies WorkerReply);
    }
    if (job.type === 'close') {
      clearInterval(heartbeats);
      port.close();
    }
  }
  running = false;
}

function enqueue(job: Job): void {
  queue.push(job);
  if (!running) void run();
}

// This thread heartbeats for the engine, so it does only while the engine's thread shows
// signs of life: an engine stuck in a loop loses its lease, and a standby takes over.
const heartbeats = setInterval(() => {
  if (running || failed !== null || writer.epoch === null) return;
  if (alive[0] !== 0 && Date.now() - alive[0]! > LEASE_MS / 2) return;
  if (Date.now() - lastWrite >= HEARTBEAT_MS) enqueue({ type: 'heartbeat' });
}, HEARTBEAT_MS / 2);

port.on('message', (request: WorkerRequest) => enqueue(request));
