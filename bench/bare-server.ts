// The transport floor: a server in the same runtime that only reads the framing and replies a
// fixed document. Classic port: reply and close; framed port: framed reply, persistent.
// Prints {"msg":"listening","port":P,"framedPort":Q} once listening. With an argument N > 0,
// N cluster workers (SCHED_NONE, like `serve --workers`) share the ports; the line then also
// says "workers":N.
//
// `--durable FILE` (one process only) makes it the durable floor: no reply leaves before one
// write of 512 bytes into FILE, made durable (O_DSYNC, over blocks written beforehand), that
// was started after its request arrived. The writes are made one at a time in a thread of
// their own, and the replies waiting for the next one go together (group commit, as the
// exchange's store does): what any store that flushes before it replies costs at least.

import cluster from 'node:cluster';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { Worker } from 'node:worker_threads';
import { FrameDecoder } from '../src/protocol/framing.js';

const REPLY = '<results>\n  <opened sym="SYM0" amount="1" limit="100" id="1"/>\n</results>\n';
const FRAMED_REPLY = Buffer.from(`${Buffer.byteLength(REPLY)}\n${REPLY}`);

const workers = Number(process.argv[2] ?? 0);
const durableAt = process.argv.indexOf('--durable');
const durableFile = durableAt === -1 ? null : process.argv[durableAt + 1]!;

// The flushing thread: plain JavaScript, evaluated, so that it needs no loader.
const FLUSHER = `
const { parentPort, workerData } = require('node:worker_threads');
const { openSync, writeSync, constants } = require('node:fs');
const SIZE = 64 << 20;
const fd = openSync(workerData, constants.O_RDWR | constants.O_CREAT | constants.O_DSYNC);
const zeros = Buffer.alloc(1 << 20);
for (let at = 0; at < SIZE; at += zeros.length) writeSync(fd, zeros, 0, zeros.length, at);
const record = Buffer.alloc(512, 1);
let offset = 0;
parentPort.on('message', () => {
  writeSync(fd, record, 0, record.length, offset);
  offset = (offset + 4096) % SIZE;
  parentPort.postMessage(0);
});
parentPort.postMessage('ready');
`;

/** Replies held until a flush started after them is done; one flush at a time. */
class GroupFlush {
  private waiting: (() => void)[] = [];
  private flushing: (() => void)[] | null = null;

  constructor(private readonly thread: Worker) {
    thread.on('message', () => {
      const replies = this.flushing!;
      this.flushing = null;
      for (const reply of replies) reply();
      if (this.waiting.length > 0) this.start();
    });
  }

  static async open(file: string): Promise<GroupFlush> {
    const thread = new Worker(FLUSHER, { eval: true, workerData: file });
    await new Promise((resolve) => thread.once('message', resolve));
    return new GroupFlush(thread);
  }

  after(reply: () => void): void {
    this.waiting.push(reply);
    if (this.flushing === null) this.start();
  }

  private start(): void {
    this.flushing = this.waiting;
    this.waiting = [];
    this.thread.postMessage(0);
  }
}

async function serveBare(): Promise<[number, number]> {
  const flush = durableFile === null ? null : await GroupFlush.open(durableFile);
  const classic = createServer({ allowHalfOpen: true }, (socket) => {
    const decoder = new FrameDecoder();
    const reply = (): void => void socket.end(REPLY);
    socket.on('data', (chunk: Buffer) => {
      if (decoder.push(chunk).length === 0) return;
      if (flush === null) reply();
      else flush.after(reply);
    });
    socket.on('error', () => socket.destroy());
  });

  const framed = createServer((socket) => {
    const decoder = new FrameDecoder();
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      const count = decoder.push(chunk).length;
      if (count === 0) return;
      const reply = (): void => {
        socket.cork();
        for (let i = 0; i < count; i++) socket.write(FRAMED_REPLY);
        socket.uncork();
      };
      if (flush === null) reply();
      else flush.after(reply);
    });
    socket.on('error', () => socket.destroy());
  });

  const listen = (server: Server): Promise<number> =>
    new Promise((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
    );
  return Promise.all([listen(classic), listen(framed)]);
}

if (durableFile !== null && workers !== 0) throw new Error('--durable runs one process');
if (workers === 0) {
  const [port, framedPort] = await serveBare();
  console.log(JSON.stringify({ msg: 'listening', port, framedPort }));
  // An orderly exit, so that a profiler or callgrind wrapped around it writes its figures.
  process.on('SIGTERM', () => process.exit(0));
} else if (cluster.isPrimary) {
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  let ready = 0;
  for (let i = 0; i < workers; i++) {
    cluster.fork().on('message', (m: { port: number; framedPort: number }) => {
      if (++ready === workers) console.log(JSON.stringify({ msg: 'listening', ...m, workers }));
    });
  }
  process.on('SIGTERM', () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
    process.exit(0);
  });
} else {
  const [port, framedPort] = await serveBare();
  process.send?.({ port, framedPort });
}
