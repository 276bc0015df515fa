// The header line for the selected symbol: best bid, best ask, last price, open orders and
// shares granted. GET /api/symbols alone is seconds old, so the live feed overrides what it
// carries fresher: the best prices come from the book the ladder shows and the last price
// from the newest trade on the tape. Open orders come from the book only when it holds every
// level (then its order counts are the total), else from the REST summary, which main keeps
// refreshing while the book moves.
import type { BookView, SymbolSummary } from '../../src/http/api-types.js';
import { setText } from './dom.js';
import type { Renderable } from './scheduler.js';

export class SummaryLine implements Renderable {
  private symbol: string | null = null;
  private listed: readonly SymbolSummary[] = [];
  private book: BookView | null = null;
  private last: string | null = null;

  constructor(private readonly el: HTMLElement) {}

  /** A new symbol: whatever was live belongs to the old one. */
  setSymbol(symbol: string): void {
    this.symbol = symbol;
    this.book = null;
    this.last = null;
  }

  setList(list: readonly SymbolSummary[]): void {
    this.listed = list;
  }

  setBook(book: BookView): void {
    this.book = book;
  }

  setLast(price: string | null): void {
    this.last = price;
  }

  render(): void {
    const rest = this.listed.find((s) => s.symbol === this.symbol);
    const book = this.book?.symbol === this.symbol ? this.book : null;
    if (!rest && !book) {
      setText(this.el, '');
      return;
    }
    const bid = book ? (book.bids[0]?.price ?? null) : (rest?.bestBid ?? null);
    const ask = book ? (book.asks[0]?.price ?? null) : (rest?.bestAsk ?? null);
    const last = this.last ?? rest?.lastPrice ?? null;
    const whole =
      book && book.bids.length === book.bidLevels && book.asks.length === book.askLevels;
    const open = whole
      ? String(book.bids.concat(book.asks).reduce((n, level) => n + level.orders, 0))
      : rest
        ? String(rest.openOrders)
        : '—';
    setText(
      this.el,
      `bid ${bid ?? '—'} · ask ${ask ?? '—'} · last ${last ?? '—'} · ` +
        `${open} open orders · ${rest?.granted ?? '—'} granted`,
    );
  }
}
