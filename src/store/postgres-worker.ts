// The PostgreSQL store's thread. Requests are handled one at a time, in order; commits that
// queue up while one is being written are merged into the next statement. After a failed
// write every commit fails with the same error until `reset`: nothing after a lost commit
// may be written, because the engine will reload from what the database has.

import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { mergeChangeSets } from './merge.js';
import { PostgresWriter } from './postgres-writer.js';
import { errorMessage, type WorkerReply, type WorkerRequest } from './store-worker.js';

const { url, description } = workerData as { url: string; description: string };
const port: MessagePort = parentPort!;
const writer = new PostgresWriter(url, description);
const queue: WorkerRequest[] = [];
let running = false;
let failed: string | null = null;

async function handle(request: WorkerRequest): Promise<void> {
  switch (request.type) {
    case 'ready':
      await writer.open();
      return;
    case 'commit':
      throw new Error('commits are handled in groups');
    case 'reset':
      failed = null;
      await writer.end();
      return;
    case 'close':
      await writer.end();
      return;
  }
}

async function commitGroup(): Promise<WorkerReply> {
  let count = 0;
  while (count < queue.length && queue[count]!.type === 'commit') count++;
  const group = queue.splice(0, count) as Extract<WorkerRequest, { type: 'commit' }>[];
  if (failed !== null) return { ok: false, count, error: failed };
  try {
    await writer.write(mergeChangeSets(group.map((r) => r.changes)));
    return { ok: true, count };
  } catch (error) {
    failed = errorMessage(error);
    return { ok: false, count, error: failed };
  }
}

async function run(): Promise<void> {
  running = true;
  while (queue.length > 0) {
    if (queue[0]!.type === 'commit') {
      port.postMessage(await commitGroup());
      continue;
    }
    const request = queue.shift()!;
    try {
      await handle(request);
      port.postMessage({ ok: true, count: 1 } satisfies WorkerReply);
    } catch (error) {
      port.postMessage({ ok: false, count: 1, error: errorMessage(error) } satisfies WorkerReply);
    }
    if (request.type === 'close') port.close();
  }
  running = false;
}

port.on('message', (request: WorkerRequest) => {
  queue.push(request);
  if (!running) void run();
});
