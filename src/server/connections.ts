// The two ways a client talks to us over TCP.
//   classic: one request, the plain reply document, then the server closes.
//   framed:  many requests, pipelined; replies framed like requests, in request order.
// Both feed bytes to a FrameDecoder; sockets and timers live here, protocol logic does not.

import type { Socket } from 'node:net';
import type { ExchangeError } from '../engine/errors.js';
import { encodeRequestError, frameReply } from '../protocol/encode.js';
import { FrameDecoder, type FrameEvent } from '../protocol/framing.js';
import { isCutShortXml } from '../protocol/xml-tree.js';
import type { RequestHandler } from './request-handler.js';

export interface ConnectionOptions {
  readonly maxRequestBytes: number;
  /** How long a document that disagrees with its length line may wait for more bytes. */
  readonly quietMs: number;
  /** Framed: pipelined requests a connection may have unanswered before we stop reading. */
  readonly maxPipelined: number;
}

export interface Connection {
  /** Stops taking new requests; what was already read is still answered. */
  stopReading(): void;
  /** Resolves when every request read so far has been answered (or the socket is gone). */
  settled(): Promise<void>;
  /** Ends the connection gracefully (replies already written still arrive); resolves when closed. */
  close(graceMs: number): Promise<void>;
}

/** Shared per-socket plumbing: decoder, quiet timer, half-close. */
abstract class BaseConnection implements Connection {
  protected readonly decoder: FrameDecoder;
  private quietTimer: NodeJS.Timeout | null = null;
  protected reading = true;
  private settledWaiters: (() => void)[] = [];

  constructor(
    protected readonly socket: Socket,
    protected readonly handle: RequestHandler,
    protected readonly options: ConnectionOptions,
  ) {
    this.decoder = new FrameDecoder(options.maxRequestBytes, isCutShortXml);
    socket.on('data', (chunk: Buffer) => {
      if (this.reading) this.deliver(this.decoder.push(chunk));
    });
    socket.on('end', () => {
      if (this.reading) this.deliver(this.decoder.end());
      this.onPeerEnd();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.clearQuietTimer();
      this.notifySettled(true);
    });
  }

  stopReading(): void {
    this.reading = false;
    this.clearQuietTimer();
    this.socket.pause();
    this.notifySettled(false);
  }

  settled(): Promise<void> {
    if (this.isSettled()) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }

  close(graceMs: number): Promise<void> {
    const socket = this.socket;
    if (socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => socket.destroy(), graceMs);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      if (!socket.writableEnded) socket.end();
      // Reading again lets the peer's end arrive (its data is ignored: `reading` is off).
      socket.resume();
    });
  }

  protected abstract onRequest(body: Buffer): void;
  protected abstract onFatal(error: ExchangeError): void;
  protected abstract onPeerEnd(): void;
  protected abstract hasPendingReplies(): boolean;

  private isSettled(): boolean {
    return this.socket.destroyed || !this.hasPendingReplies();
  }

  protected notifySettled(force: boolean): void {
    if (!force && !this.isSettled()) return;
    const waiters = this.settledWaiters;
    this.settledWaiters = [];
    for (const w of waiters) w();
  }

  private deliver(events: FrameEvent[]): void {
    for (const event of events) {
      if (!this.reading) break;
      if (event.type === 'request') this.onRequest(event.body);
      else this.onFatal(event.error);
    }
    this.armQuietTimer();
  }

  private armQuietTimer(): void {
    this.clearQuietTimer();
    if (!this.reading || !this.decoder.waitingForQuiet) return;
    this.quietTimer = setTimeout(() => {
      this.quietTimer = null;
      if (this.reading) this.deliver(this.decoder.expire());
    }, this.options.quietMs);
  }

  private clearQuietTimer(): void {
    if (this.quietTimer !== null) clearTimeout(this.quietTimer);
    this.quietTimer = null;
  }
}

/** One request, the plain reply, close. Extra bytes after the request are ignored. */
export class ClassicConnection extends BaseConnection {
  private answering = false;

  protected onRequest(body: Buffer): void {
    this.takeOnly();
    this.handle(body).then(
      (xml) => this.finish(xml),
      () => this.socket.destroy(),
    );
  }

  protected onFatal(error: ExchangeError): void {
    this.takeOnly();
    this.finish(encodeRequestError(error));
  }

  protected onPeerEnd(): void {
    // Ending twice is harmless but builds an error object: measurable at this rate.
    if (!this.answering && !this.socket.writableEnded) this.socket.end();
  }

  protected hasPendingReplies(): boolean {
    return this.answering;
  }

  private takeOnly(): void {
    // Later bytes are ignored rather than paused: pausing costs a system call per
    // connection, and the connection ends with the reply anyway.
    this.answering = true;
    this.reading = false;
  }

  private finish(xml: string): void {
    this.answering = false;
    if (!this.socket.destroyed) this.socket.end(xml);
    this.notifySettled(false);
  }
}

interface Slot {
  reply: Buffer | null;
}

/** Persistent and pipelined: replies leave in request order, each as soon as it can. */
export class FramedConnection extends BaseConnection {
  private readonly slots: Slot[] = [];
  private closing = false;
  private corked = false;

  constructor(socket: Socket, handle: RequestHandler, options: ConnectionOptions) {
    super(socket, handle, options);
    // Pipelined replies must not wait for Nagle's algorithm; writes are corked per tick.
    socket.setNoDelay(true);
    // A client that does not read its replies stops being read from, so its backlog
    // stays bounded by the socket's buffer and maxPipelined.
    socket.on('drain', () => this.resumeIfRoom());
  }

  protected onRequest(body: Buffer): void {
    const slot: Slot = { reply: null };
    this.slots.push(slot);
    if (this.slots.length >= this.options.maxPipelined) this.socket.pause();
    this.handle(body).then(
      (xml) => this.fill(slot, xml),
      () => this.socket.destroy(),
    );
  }

  protected onFatal(error: ExchangeError): void {
    // After a framing error the byte stream has no trustworthy boundary left.
    this.reading = false;
    this.closing = true;
    const slot: Slot = { reply: null };
    this.slots.push(slot);
    this.fill(slot, encodeRequestError(error));
  }

  protected onPeerEnd(): void {
    this.closing = true;
    this.flush();
  }

  protected hasPendingReplies(): boolean {
    return this.slots.length > 0;
  }

  private fill(slot: Slot, xml: string): void {
    slot.reply = frameReply(xml);
    this.flush();
  }

  private flush(): void {
    const socket = this.socket;
    if (socket.destroyed) return;
    while (this.slots.length > 0 && this.slots[0]!.reply !== null) {
      // Replies settled in the same tick leave in one write.
      if (!this.corked) {
        this.corked = true;
        socket.cork();
        process.nextTick(() => {
          this.corked = false;
          socket.uncork();
        });
      }
      socket.write(this.slots.shift()!.reply!);
    }
    if (socket.writableNeedDrain) socket.pause();
    else this.resumeIfRoom();
    if (this.slots.length === 0) {
      if (this.closing && !socket.writableEnded) socket.end();
      this.notifySettled(false);
    }
  }

  private resumeIfRoom(): void {
    const socket = this.socket;
    if (this.reading && socket.isPaused() && this.slots.length < this.options.maxPipelined) {
      socket.resume();
    }
  }
}
