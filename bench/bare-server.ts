// The transport floor: a server in the same runtime that only reads the framing and replies a
// fixed document. Classic port: reply and close; framed port: framed reply, persistent.
// Prints {"msg":"listening","port":P,"framedPort":Q} once listening. With an argument N > 0,
// N cluster workers (SCHED_NONE, like `serve --workers`) share the ports; the line then also
// says "workers":N.

import cluster from 'node:cluster';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { FrameDecoder } from '../src/protocol/framing.js';

const REPLY = '<results>\n  <opened sym="SYM0" amount="1" limit="100" id="1"/>\n</results>\n';
const FRAMED_REPLY = Buffer.from(`${Buffer.byteLength(REPLY)}\n${REPLY}`);

const workers = Number(process.argv[2] ?? 0);

function serveBare(): Promise<[number, number]> {
  const classic = createServer({ allowHalfOpen: true }, (socket) => {
    const decoder = new FrameDecoder();
    socket.on('data', (chunk: Buffer) => {
      if (decoder.push(chunk).length > 0) socket.end(REPLY);
    });
    socket.on('error', () => socket.destroy());
  });

  const framed = createServer((socket) => {
    const decoder = new FrameDecoder();
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      const events = decoder.push(chunk);
      if (events.length === 0) return;
      socket.cork();
      for (let i = 0; i < events.length; i++) socket.write(FRAMED_REPLY);
      socket.uncork();
    });
    socket.on('error', () => socket.destroy());
  });

  const listen = (server: Server): Promise<number> =>
    new Promise((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
    );
  return Promise.all([listen(classic), listen(framed)]);
}

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
