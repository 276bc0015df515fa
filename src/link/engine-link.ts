// A gateway's end of the link to the engine. `submit` batches the requests of one turn into
// one message; answers come back by id. While the link is down, requests are refused as not
// executed (EngineUnavailable); requests already sent when it drops may or may not have been
// executed (OutcomeUnknown). The link reconnects by itself, with backoff.

import { connect, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { Request, Result } from '../engine/commands.js';
import { EngineUnavailable, OutcomeUnknown, Overloaded } from '../server/engine-errors.js';
import { StoreFailure } from '../server/sequencer.js';
import { decodeResult, encodeRequest, type Wire } from './codec.js';
import { encodeFrame, FrameReader } from './frames.js';

interface Waiter {
  resolve: (results: Result[]) => void;
  reject: (error: Error) => void;
}

const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 2000;

export class EngineLink {
  private socket: Socket | null = null;
  private readonly waiting = new Map<number, Waiter>();
  private nextId = 1;
  private outgoing: Wire[] = ['R'];
  private flushScheduled = false;
  private retryMs = RETRY_FIRST_MS;
  private retryTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private connectedOnce: (() => void) | null = null;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly log: Logger,
  ) {}

  /** Connects, and resolves once linked the first time (retrying until then). */
  start(): Promise<void> {
    return new Promise((resolve) => {
      this.connectedOnce = resolve;
      this.dial();
    });
  }

  get connected(): boolean {
    return this.socket !== null;
  }

  submit(request: Request): Promise<Result[]> {
    if (this.socket === null) return Promise.reject(new EngineUnavailable());
    const id = this.nextId++;
    this.outgoing.push(id, encodeRequest(request));
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      // Everything submitted in this turn leaves in one message.
      setImmediate(() => this.flush());
    }
    return new Promise((resolve, reject) => this.waiting.set(id, { resolve, reject }));
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.socket?.end();
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.outgoing;
    this.outgoing = ['R'];
    if (batch.length > 1) this.socket?.write(encodeFrame(batch));
  }

  private dial(): void {
    const socket = connect({ host: this.host, port: this.port });
    socket.setNoDelay(true);
    const reader = new FrameReader();
    socket.once('connect', () => {
      this.socket = socket;
      this.retryMs = RETRY_FIRST_MS;
      this.log.info({ engine: `${this.host}:${this.port}` }, 'linked to the engine');
      this.connectedOnce?.();
      this.connectedOnce = null;
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const message of reader.push(chunk)) this.answer(message as Wire[]);
      } catch (error) {
        this.log.error({ err: error }, 'engine link broken');
        socket.destroy();
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      const wasLinked = this.socket === socket;
      this.socket = null;
      this.outgoing = ['R'];
      const lost = [...this.waiting.values()];
      this.waiting.clear();
      for (const w of lost) w.reject(new OutcomeUnknown());
      if (wasLinked) this.log.error({ inFlight: lost.length }, 'engine link lost: reconnecting');
      if (this.closed) return;
      this.retryTimer = setTimeout(() => this.dial(), this.retryMs);
      this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
    });
  }

  private answer(message: Wire[]): void {
    for (let i = 1; i + 1 < message.length; i += 2) {
      const waiter = this.waiting.get(message[i] as number);
      if (waiter === undefined) continue;
      this.waiting.delete(message[i] as number);
      const payload = message[i + 1]!;
      if (payload === 'STORE_UNAVAILABLE')
        waiter.reject(new StoreFailure('reported by the engine'));
      else if (payload === 'OVERLOADED') waiter.reject(new Overloaded());
      else if (typeof payload === 'string') waiter.reject(new Error(`engine: ${payload}`));
      else waiter.resolve((payload as Wire[]).map(decodeResult));
    }
  }
}
