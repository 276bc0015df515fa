// Messages on the gateway ↔ engine link: a 4-byte big-endian length, then that many bytes
// of JSON. `FrameReader` is a small state machine fed arbitrary fragments.

import type { Wire } from './codec.js';

/** Far above any batch a gateway sends; a longer length means a broken peer. */
export const MAX_LINK_FRAME = 256 * 1024 * 1024;

export function encodeFrame(message: Wire): Buffer {
  const json = JSON.stringify(message);
  const size = Buffer.byteLength(json);
  const frame = Buffer.allocUnsafe(4 + size);
  frame.writeUInt32BE(size, 0);
  frame.write(json, 4, 'utf8');
  return frame;
}

export class FrameReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  /** The whole messages completed by this chunk, in order. Throws on a broken stream. */
  push(chunk: Buffer): Wire[] {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    const messages: Wire[] = [];
    if (this.pendingBytes < 4) return messages;
    let buffer = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    let offset = 0;
    while (buffer.length - offset >= 4) {
      const size = buffer.readUInt32BE(offset);
      if (size > MAX_LINK_FRAME) throw new Error(`link frame of ${size} bytes is too large`);
      if (buffer.length - offset - 4 < size) break;
      messages.push(JSON.parse(buffer.toString('utf8', offset + 4, offset + 4 + size)) as Wire);
      offset += 4 + size;
    }
    buffer = buffer.subarray(offset);
    this.pending = buffer.length > 0 ? [buffer] : [];
    this.pendingBytes = buffer.length;
    return messages;
  }
}
