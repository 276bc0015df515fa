// Ports that a process started later must bind itself: a gateway is told its engines' link
// ports before a standby binds its own, so they are chosen free here first.

import { createServer, type AddressInfo } from 'node:net';

/** A port free on 127.0.0.1 at this moment. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
