// Wires the dashboard: REST for first paint and lookups, the WebSocket for live data, one
// animation frame to render whatever changed.
import 'uplot/dist/uPlot.min.css';
import './style.css';
import type { BookView, ServerMessage, SymbolSummary } from '../../src/http/api-types.js';
import { bindAccountLookup } from './account.js';
import { api, describeError, getToken, isAbort, setToken } from './api.js';
import { DepthChart } from './depth-chart.js';
import { byId, setText } from './dom.js';
import { Feed, feedUrl, type FeedStatus, type StatusDetail } from './feed.js';
import { Ladder } from './ladder.js';
import { bindOrderLookup, bindOrderTicket } from './order.js';
import { FrameScheduler } from './scheduler.js';
import { StatsPanel } from './stats.js';
import { SummaryLine } from './summary.js';
import { SymbolSelector } from './symbols.js';
import { TAPE_ROWS, TradesTape } from './tape.js';

const BOOK_DEPTH = 50; // what the feed's book messages carry

const scheduler = new FrameScheduler();
const statusEl = byId('connection-status', HTMLElement);
const apiStatusEl = byId('api-status', HTMLElement);

const ladder = new Ladder(
  byId('book-ladder', HTMLTableElement),
  byId('ladder-scroll', HTMLElement),
  byId('book-levels', HTMLElement),
);
const depth = new DepthChart(byId('depth-chart', HTMLElement));
const summary = new SummaryLine(byId('symbol-summary', HTMLElement));
const lookUpOrder = bindOrderLookup(
  byId('order-form', HTMLFormElement),
  byId('order-id', HTMLInputElement),
  byId('order-result', HTMLElement),
);
const tape = new TradesTape(
  byId('trades-tape', HTMLTableElement),
  byId('trades-dropped', HTMLElement),
  byId('trades-empty', HTMLElement),
  lookUpOrder,
);
const stats = new StatsPanel(
  byId('chart-throughput', HTMLElement),
  byId('chart-latency', HTMLElement),
  byId('chart-commit', HTMLElement),
);
bindAccountLookup(
  byId('account-form', HTMLFormElement),
  byId('account-id', HTMLInputElement),
  byId('account-result', HTMLElement),
  lookUpOrder,
);

bindOrderTicket(
  byId('order-ticket', HTMLFormElement),
  byId('ticket-status', HTMLElement),
  () => symbol,
  lookUpOrder,
);

const tokenInput = byId('api-token', HTMLInputElement);
tokenInput.value = getToken();
tokenInput.addEventListener('input', () => setToken(tokenInput.value.trim()));

/** Problems by source (symbols, book, trades, feed), shown together in the header. */
const problems = new Map<string, string>();

function setProblem(source: string, message: string | null): void {
  if (message === null) problems.delete(source);
  else problems.set(source, message);
  const text = Array.from(problems.values()).join(' · ');
  apiStatusEl.hidden = text === '';
  apiStatusEl.title = text;
  setText(apiStatusEl, text);
}

// --- the selected symbol ---------------------------------------------------------------------

let symbol: string | null = null;
/** Aborts the REST loads of the previous symbol. */
let loads: AbortController | null = null;
/** A feed book has arrived for this symbol: a later REST book would be older. */
let liveBook = false;
/** The feed refused the symbol as unknown: subscribe again once the server lists it. */
let symbolMissing = false;

function setBook(book: BookView): void {
  ladder.setBook(book);
  depth.setBook(book);
  summary.setBook(book);
  scheduler.mark(ladder);
  scheduler.mark(depth);
  scheduler.mark(summary);
}

function tradesChanged(): void {
  const last = tape.newestPrice();
  ladder.setLast(last);
  summary.setLast(last);
  scheduler.mark(tape);
  scheduler.mark(ladder);
  scheduler.mark(summary);
}

function loadTrades(sym: string, signal: AbortSignal): void {
  api.trades(sym, TAPE_ROWS, signal).then(
    (view) => {
      if (sym !== symbol) return;
      setProblem('trades', null);
      tape.load(view.trades);
      tradesChanged();
    },
    (err: unknown) => {
      if (!isAbort(err)) setProblem('trades', `Trades: ${describeError(err, 'symbol')}`);
    },
  );
}

function loadBook(sym: string, signal: AbortSignal): void {
  api.book(sym, BOOK_DEPTH, signal).then(
    (book) => {
      if (sym !== symbol) return;
      setProblem('book', null);
      if (!liveBook) setBook(book);
    },
    (err: unknown) => {
      if (!isAbort(err)) setProblem('book', `Book: ${describeError(err, 'symbol')}`);
    },
  );
}

function selectSymbol(next: string): void {
  if (next === symbol) return;
  if (symbol !== null) feed.unsubscribe({ symbol });
  loads?.abort();
  symbol = next;
  liveBook = false;
  symbolMissing = false;
  for (const source of ['book', 'trades', 'feed']) setProblem(source, null);
  ladder.reset();
  depth.setBook(null);
  tape.reset();
  summary.setSymbol(next);
  scheduler.markNow(ladder);
  scheduler.markNow(depth);
  scheduler.markNow(tape);
  scheduler.markNow(summary);

  feed.subscribe({ symbol: next });
  const controller = new AbortController();
  loads = controller;
  loadBook(next, controller.signal);
  loadTrades(next, controller.signal);
}

function onSymbolList(list: readonly SymbolSummary[]): void {
  summary.setList(list);
  scheduler.mark(summary);
  if (!symbolMissing || symbol === null || !list.some((s) => s.symbol === symbol)) return;
  symbolMissing = false;
  setProblem('feed', null);
  feed.resubscribe({ symbol });
  if (loads) {
    loadBook(symbol, loads.signal);
    loadTrades(symbol, loads.signal);
  }
}

// --- the live feed ---------------------------------------------------------------------------

function onMessage(message: ServerMessage): void {
  switch (message.type) {
    case 'book':
      if (message.symbol === symbol) {
        liveBook = true;
        setBook(message);
        // The book moved, so open orders (and shares granted) may have: ask for them soon.
        symbols.refreshSoon();
      }
      break;
    case 'trades':
      if (message.symbol === symbol) {
        tape.add(message.trades, message.dropped);
        tradesChanged();
      }
      break;
    case 'stats':
      stats.push(message);
      scheduler.mark(stats);
      break;
    case 'error':
      if (message.code === 'SYMBOL_NOT_FOUND' && message.message.includes(`"${symbol}"`)) {
        symbolMissing = true;
      }
      setProblem('feed', `Feed: ${message.code} ${message.message}`);
      break;
    case 'subscribed':
      break;
  }
}

const STATUS_TEXT: Record<FeedStatus, string> = {
  connecting: 'connecting…',
  connected: 'connected',
  disconnected: 'disconnected',
};

function onStatus(status: FeedStatus, detail: StatusDetail): void {
  setText(statusEl, STATUS_TEXT[status]);
  statusEl.dataset.state = status;
  statusEl.title =
    detail.retryInMs === undefined
      ? ''
      : `reconnecting in ${(detail.retryInMs / 1000).toFixed(1)} s`;
  // Trades while the socket was down are not replayed: fetch the recent ones to fill the gap.
  if (status === 'connected' && detail.reconnected && symbol !== null && loads) {
    loadTrades(symbol, loads.signal);
  }
}

const feed = new Feed(feedUrl(), onMessage, onStatus);
feed.subscribe({ channel: 'stats' });
feed.start();

api.stats().then(
  (view) => {
    stats.push(view);
    scheduler.mark(stats);
  },
  () => undefined, // the feed brings stats each second anyway
);

const symbols = new SymbolSelector(
  byId('symbol-select', HTMLSelectElement),
  selectSymbol,
  (message) => setProblem('symbols', message),
  onSymbolList,
);
symbols.start(new URLSearchParams(location.search).get('symbol'));
