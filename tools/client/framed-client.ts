// A client of the framed listener: one persistent connection, pipelined requests, replies
// matched to requests by order.

import { connect, type Socket } from 'node:net';
import { FrameDecoder } from '../../src/protocol/framing.js';
import { frameRequest } from './classic-client.js';

interface Waiter {
  resolve: (xml: string) => void;
  reject: (error: Error) => void;
}

export class FramedClient {
  private readonly waiters: Waiter[] = [];
  private readonly decoder = new FrameDecoder(64 * 1024 * 1024);
  private failure: Error | null = null;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      for (const event of this.decoder.push(chunk)) {
        if (event.type === 'request') this.waiters.shift()?.resolve(event.body.toString('utf8'));
        else this.fail(new Error(`bad reply framing: ${event.error.message}`));
      }
    });
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('connection closed')));
  }

  static connect(port: number, host = '127.0.0.1'): Promise<FramedClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new FramedClient(socket));
      });
    });
  }

  /** Sends one request; replies come back in the order requests were sent. */
  request(xml: string): Promise<string> {
    return new Promise((resolve, reject) => {
      if (this.failure !== null) return reject(this.failure);
      this.waiters.push({ resolve, reject });
      this.socket.write(frameRequest(xml));
    });
  }

  close(): void {
    this.socket.end();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const w of this.waiters.splice(0)) w.reject(error);
  }
}
