// The live WebSocket feed: one socket to /ws, topics re-subscribed after every reconnect,
// reconnect with jittered exponential backoff.
import type { ClientMessage, ServerMessage } from '../../src/http/api-types.js';

export type FeedStatus = 'connecting' | 'connected' | 'disconnected';
export type Topic = { readonly symbol: string } | { readonly channel: 'stats' };

export interface StatusDetail {
  /** On `connected`: the socket had been open before (messages may have been missed). */
  readonly reconnected: boolean;
  /** On `disconnected`: when the next attempt is due. */
  readonly retryInMs?: number;
}

const MIN_DELAY_MS = 500;
const MAX_DELAY_MS = 15_000;

function topicKey(topic: Topic): string {
  return 'symbol' in topic ? `symbol:${topic.symbol}` : `channel:${topic.channel}`;
}

function request(op: 'subscribe' | 'unsubscribe', topic: Topic): ClientMessage {
  return 'symbol' in topic ? { op, symbol: topic.symbol } : { op, channel: topic.channel };
}

function isServerMessage(m: unknown): m is ServerMessage {
  return typeof m === 'object' && m !== null && 'type' in m && typeof m.type === 'string';
}

/** ws(s)://<this host>/ws */
export function feedUrl(): string {
  const url = new URL('/ws', location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

export class Feed {
  private ws: WebSocket | null = null;
  private readonly topics = new Map<string, Topic>();
  private failures = 0;
  private everOpened = false;
  private retryTimer: number | undefined;

  constructor(
    private readonly url: string,
    private readonly onMessage: (message: ServerMessage) => void,
    private readonly onStatus: (status: FeedStatus, detail: StatusDetail) => void,
  ) {}

  start(): void {
    window.addEventListener('online', () => this.retryNow());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') this.retryNow();
    });
    this.connect();
  }

  subscribe(topic: Topic): void {
    const key = topicKey(topic);
    if (this.topics.has(key)) return;
    this.topics.set(key, topic);
    this.send(request('subscribe', topic));
  }

  unsubscribe(topic: Topic): void {
    if (!this.topics.delete(topicKey(topic))) return;
    this.send(request('unsubscribe', topic));
  }

  /** Asks again for a topic the server refused (a symbol that did not exist yet). */
  resubscribe(topic: Topic): void {
    if (this.topics.has(topicKey(topic))) this.send(request('subscribe', topic));
  }

  private send(message: ClientMessage): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  /** Skips the rest of the backoff wait (back online, tab visible again). */
  private retryNow(): void {
    if (this.retryTimer === undefined) return;
    window.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.connect();
  }

  private connect(): void {
    this.onStatus('connecting', { reconnected: false });
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      const reconnected = this.everOpened;
      this.everOpened = true;
      for (const topic of this.topics.values())
        ws.send(JSON.stringify(request('subscribe', topic)));
      this.onStatus('connected', { reconnected });
    };
    ws.onmessage = (event: MessageEvent) => {
      if (this.ws !== ws || typeof event.data !== 'string') return;
      // A socket that delivers data is healthy: the next drop starts the backoff afresh.
      this.failures = 0;
      let message: unknown;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (!isServerMessage(message)) return;
      try {
        this.onMessage(message);
      } catch (err) {
        console.error('feed message handler failed', err);
      }
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.scheduleRetry();
    };
    // An error is always followed by a close event, which schedules the retry.
    ws.onerror = () => undefined;
  }

  private scheduleRetry(): void {
    const base = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** this.failures);
    this.failures += 1;
    const delay = Math.round(base * (0.5 + Math.random() * 0.5));
    this.onStatus('disconnected', { reconnected: false, retryInMs: delay });
    this.retryTimer = window.setTimeout(() => {
      this.retryTimer = undefined;
      this.connect();
    }, delay);
  }
}
