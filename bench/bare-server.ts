// The transport floor: a server in the same runtime that only reads the framing and replies a
// fixed document. Classic port: reply and close; framed port: framed reply, persistent.
// Prints {"port":P,"framedPort":Q} once listening.

import { createServer, type AddressInfo, type Server } from 'node:net';
import { FrameDecoder } from '../src/protocol/framing.js';

const REPLY = '<results>\n  <opened sym="SYM0" amount="1" limit="100" id="1"/>\n</results>\n';
const FRAMED_REPLY = Buffer.from(`${Buffer.byteLength(REPLY)}\n${REPLY}`);

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

const [port, framedPort] = await Promise.all([listen(classic), listen(framed)]);
console.log(JSON.stringify({ msg: 'listening', port, framedPort }));
