// The two ways a client talks to us over TCP.
//   classic: one request, the plain reply document, then the server closes.
//   framed:  many requests, pipelined; replies framed like requests, in request order.
// Both feed bytes to a FrameDecoder; sockets and timers live here, protocol logic does not.

import type { Socket } from 'node:net';
import { exchangeError, type ExchangeError } from '../engine/errors.js';
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
  /**
   * A request must arrive whole within this long of its first byte (classic: of the
   * connection opening), or it is refused and the connection closed: a client trickling a
   * byte a second (slowloris) cannot hold a connection, which an idle timeout alone allows.
   */
  readonly requestTimeoutMs: number;
  /** Framed: a connection with nothing in flight is closed after this long without a byte. */
  readonly idleTimeoutMs: number;
  /**
   * A client that leaves its replies unread this long is disconnected. Until then it is
   * not read from (backpressure), so what it costs stays bounded.
   */
  readonly writeTimeoutMs: number;
}

/** How long a connection being cut off may take to take its last reply before it is destroyed. */
const CUT_OFF_GRACE_MS = 2000;

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
  private deadlineTimer: NodeJS.Timeout | null = null;
  private graceTimer: NodeJS.Timeout | null = null;
  private graceAt = Infinity;
  protected reading = true;
  /** Classic: the request deadline runs from the connection's opening, not its first byte. */
  protected abstract readonly deadlineFromOpen: boolean;
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
      this.clearDeadline();
      if (this.graceTimer !== null) clearTimeout(this.graceTimer);
      this.onClosed();
      this.notifySettled(true);
    });
  }

  /** Arms the request deadline; subclasses call it once constructed, as they need. */
  protected armDeadline(): void {
    if (this.deadlineTimer !== null) return;
    this.deadlineTimer = setTimeout(() => {
      this.deadlineTimer = null;
      if (!this.reading) return;
      this.deliver([{ type: 'error', error: exchangeError('REQUEST_TIMEOUT') }]);
      this.destroyAfter(CUT_OFF_GRACE_MS);
    }, this.options.requestTimeoutMs);
  }

  private clearDeadline(): void {
    if (this.deadlineTimer !== null) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = null;
  }

  /** Destroys the socket if it is still open after `ms` (or sooner, if asked so before). */
  protected destroyAfter(ms: number): void {
    const at = performance.now() + ms;
    if (this.graceTimer !== null) {
      if (this.graceAt <= at) return;
      clearTimeout(this.graceTimer);
    }
    this.graceAt = at;
    this.graceTimer = setTimeout(() => this.socket.destroy(), ms);
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
  protected onClosed(): void {}

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
    if (!this.reading || (this.decoder.idle && !this.deadlineFromOpen)) this.clearDeadline();
    else if (!this.decoder.idle) this.armDeadline();
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
  protected readonly deadlineFromOpen = true;

  constructor(socket: Socket, handle: RequestHandler, options: ConnectionOptions) {
    super(socket, handle, options);
    this.armDeadline();
  }

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
    if (!this.socket.destroyed) {
      this.socket.end(xml);
      // A client that neither reads the reply nor closes does not keep the socket.
      this.destroyAfter(this.options.writeTimeoutMs);
    }
    this.notifySettled(false);
  }
}

interface Slot {
  reply: string | null;
}

/** Persistent and pipelined: replies leave in request order, each as soon as it can. */
export class FramedConnection extends BaseConnection {
  private readonly slots: Slot[] = [];
  private closing = false;
  private corked = false;
  private writeTimer: NodeJS.Timeout | null = null;
  protected readonly deadlineFromOpen = false;

  constructor(socket: Socket, handle: RequestHandler, options: ConnectionOptions) {
    super(socket, handle, options);
    // Pipelined replies must not wait for Nagle's algorithm; writes are corked per tick.
    socket.setNoDelay(true);
    // A client that does not read its replies stops being read from, so its backlog
    // stays bounded by the socket's buffer and maxPipelined; if it still does not read
    // within the write timeout, it is disconnected.
    socket.on('drain', () => {
      this.clearWriteTimer();
      this.resumeIfRoom();
    });
    socket.setTimeout(options.idleTimeoutMs);
    socket.on('timeout', () => {
      if (this.slots.length === 0 && this.decoder.idle) void this.close(CUT_OFF_GRACE_MS);
    });
  }

  protected override onClosed(): void {
    this.clearWriteTimer();
  }

  private clearWriteTimer(): void {
    if (this.writeTimer !== null) clearTimeout(this.writeTimer);
    this.writeTimer = null;
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
    if (socket.writableNeedDrain) {
      socket.pause();
      this.writeTimer ??= setTimeout(() => socket.destroy(), this.options.writeTimeoutMs);
    } else this.resumeIfRoom();
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
