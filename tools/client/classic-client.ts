// A client of the classic listener: one connection per request, reply read until close.

import { connect } from 'node:net';

export function frameRequest(xml: string): Buffer {
  const body = Buffer.from(xml, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length}\n`, 'ascii'), body]);
}

export interface ClassicOptions {
  readonly host?: string;
  readonly timeoutMs?: number;
}

/** Sends raw bytes and resolves with everything the server sent before closing. */
export function sendRaw(
  port: number,
  bytes: Buffer | string,
  options: ClassicOptions = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: options.host ?? '127.0.0.1' });
    const chunks: Buffer[] = [];
    socket.setTimeout(options.timeoutMs ?? 10_000, () => {
      socket.destroy(new Error(`no reply within ${options.timeoutMs ?? 10_000} ms`));
    });
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/** One request over the classic listener. */
export function classicRequest(
  port: number,
  xml: string,
  options: ClassicOptions = {},
): Promise<string> {
  return sendRaw(port, frameRequest(xml), options);
}
