// A gateway's end of the link to the engine. `submit` batches the requests of one turn into
// one message; answers come back by id. While the link is down, requests are refused as not
// executed (EngineUnavailable); requests already sent when it drops may or may not have been
// executed (OutcomeUnknown). The link goes to whichever of the engines named answers (only
// the leader listens: standbys refuse connections), and after losing it, dials them in turn,
// starting with the next, until one answers. An engine must answer a ping within a bound,
// since a paused or cut-off process still has its socket and its kernel still accepts.

import { connect, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { Request, Result } from '../engine/commands.js';
import { EngineUnavailable, OutcomeUnknown } from '../errors/failures.js';
import { decodeResult, encodeRequest, linkFailure, type Wire } from './codec.js';
import { encodeFrame, FrameReader } from './frames.js';

export interface EngineAddress {
  readonly host: string;
  readonly port: number;
}

interface Waiter {
  resolve: (results: Result[]) => void;
  reject: (error: Error) => void;
}

/** After a round in which no engine answered, the next round waits this long, doubling. */
const RETRY_FIRST_MS = 50;
const RETRY_MAX_MS = 250;
/** A linked engine is pinged this often. */
const PING_MS = 250;
/** An engine that sends nothing (no answer, no pong) for this long is taken as gone. */
const SILENCE_MS = 2_000;
/** A new link is used only once the engine answers its first ping, within this long. */
const HANDSHAKE_MS = 500;

export class EngineLink {
  private socket: Socket | null = null;
  private readonly waiting = new Map<number, Waiter>();
  private nextId = 1;
  private outgoing: Wire[] = ['R'];
  private flushScheduled = false;
  private retryMs = RETRY_FIRST_MS;
  private retryTimer: NodeJS.Timeout | null = null;
  private pinger: NodeJS.Timeout | null = null;
  private closed = false;
  private connectedOnce: (() => void) | null = null;
  /** The engine dialled next, as an index into `engines`. */
  private next = 0;
  /** Dials in a row that did not link. */
  private misses = 0;
  private lastHeard = 0;

  constructor(
    private readonly engines: readonly EngineAddress[],
    private readonly log: Logger,
  ) {
    if (engines.length === 0) throw new Error('a gateway needs at least one engine address');
  }

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
    if (this.pinger !== null) clearInterval(this.pinger);
    this.socket?.end();
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.outgoing;
    this.outgoing = ['R'];
    if (batch.length > 1) this.socket?.write(encodeFrame(batch));
  }

  private dial(): void {
    const engine = this.engines[this.next % this.engines.length]!;
    const address = `${engine.host}:${engine.port}`;
    const socket = connect({ host: engine.host, port: engine.port });
    socket.setNoDelay(true);
    const reader = new FrameReader();
    const handshake = setTimeout(() => socket.destroy(), HANDSHAKE_MS);
    socket.once('connect', () => socket.write(encodeFrame(['P'])));
    socket.on('data', (chunk: Buffer) => {
      this.lastHeard = performance.now();
      try {
        for (const message of reader.push(chunk) as Wire[][]) {
          if (message[0] === 'Q') {
            if (this.socket !== socket) this.linked(socket, address, handshake);
          } else this.answer(message);
        }
      } catch (error) {
        this.log.error({ err: error }, 'engine link broken');
        socket.destroy();
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(handshake);
      const wasLinked = this.socket === socket;
      if (wasLinked) {
        this.socket = null;
        if (this.pinger !== null) clearInterval(this.pinger);
        this.pinger = null;
        this.outgoing = ['R'];
        const lost = [...this.waiting.values()];
        this.waiting.clear();
        for (const w of lost) w.reject(new OutcomeUnknown());
        this.log.error({ engine: address, inFlight: lost.length }, 'engine link lost: relinking');
      }
      if (this.closed) return;
      // The next engine first: after a failover the one just lost is the least likely leader.
      this.next++;
      this.misses++;
      const roundDone = this.misses % this.engines.length === 0;
      const delay = roundDone ? this.retryMs : 0;
      if (roundDone) this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
      this.retryTimer = setTimeout(() => this.dial(), delay);
    });
  }

  private linked(socket: Socket, address: string, handshake: NodeJS.Timeout): void {
    clearTimeout(handshake);
    this.socket = socket;
    this.misses = 0;
    this.retryMs = RETRY_FIRST_MS;
    this.log.info({ engine: address }, 'linked to the engine');
    this.pinger = setInterval(() => {
      if (performance.now() - this.lastHeard > SILENCE_MS) {
        this.log.error({ engine: address, silentMs: SILENCE_MS }, 'engine silent: dropping link');
        socket.destroy();
      } else socket.write(encodeFrame(['P']));
    }, PING_MS);
    this.connectedOnce?.();
    this.connectedOnce = null;
  }

  private answer(message: Wire[]): void {
    for (let i = 1; i + 1 < message.length; i += 2) {
      const waiter = this.waiting.get(message[i] as number);
      if (waiter === undefined) continue;
      this.waiting.delete(message[i] as number);
      const payload = message[i + 1]!;
      if (typeof payload === 'string') waiter.reject(linkFailure(payload));
      else waiter.resolve((payload as Wire[]).map(decodeResult));
    }
  }
}
