// The order book ladder: asks above (highest first), a middle row with the last price, bids
// below (best first). Rows are keyed by side and price and reused between renders, so a book
// update only touches the cells that changed.
import type { BookView, PriceLevelView } from '../../src/http/api-types.js';
import { h, setText } from './dom.js';
import type { Renderable } from './scheduler.js';

type Side = 'bid' | 'ask';

/** Levels shown per side. */
export const LADDER_LEVELS = 20;

interface LevelRow {
  readonly tr: HTMLTableRowElement;
  readonly shares: HTMLTableCellElement;
  readonly orders: HTMLTableCellElement;
  depth: string;
}

export class Ladder implements Renderable {
  private book: BookView | null = null;
  private last: string | null = null;
  private rows = new Map<string, LevelRow>();
  private recenter = true;
  private readonly tbody: HTMLTableSectionElement;
  private readonly mid: HTMLTableRowElement;
  private readonly midCell: HTMLTableCellElement;
  private readonly noAsks = h('tr', { class: 'placeholder' }, h('td', { colspan: 3 }, 'no asks'));
  private readonly noBids = h('tr', { class: 'placeholder' }, h('td', { colspan: 3 }, 'no bids'));

  constructor(
    table: HTMLTableElement,
    private readonly scroller: HTMLElement,
    private readonly levels: HTMLElement,
  ) {
    this.tbody = table.tBodies[0] ?? table.createTBody();
    this.midCell = h('td', { colspan: 3, id: 'ladder-mid' });
    this.mid = h('tr', { class: 'mid' }, this.midCell);
  }

  setBook(book: BookView): void {
    // The panel shows a few dozen rows; the depth chart gets the whole visible book.
    this.book = {
      ...book,
      bids: book.bids.slice(0, LADDER_LEVELS),
      asks: book.asks.slice(0, LADDER_LEVELS),
    };
  }

  setLast(price: string | null): void {
    this.last = price;
  }

  /** A new symbol: forget the old book and centre the spread on the next render. */
  reset(): void {
    this.book = null;
    this.last = null;
    this.recenter = true;
  }

  render(): void {
    const book = this.book;
    setText(this.midCell, this.last === null ? 'last —' : `last ${this.last}`);
    if (!book) {
      this.tbody.replaceChildren();
      this.rows.clear();
      setText(this.levels, '');
      return;
    }
    let maxShares = 0;
    for (const level of book.asks) maxShares = Math.max(maxShares, Number(level.shares));
    for (const level of book.bids) maxShares = Math.max(maxShares, Number(level.shares));

    const next = new Map<string, LevelRow>();
    const sequence: HTMLTableRowElement[] = [];
    const add = (side: Side, level: PriceLevelView): void => {
      const key = `${side}:${level.price}`;
      const row = this.rows.get(key) ?? this.createRow(side, level.price);
      setText(row.shares, level.shares);
      setText(row.orders, String(level.orders));
      // Number() only for the bar width; the cells show the strings.
      const depth = maxShares > 0 ? (Number(level.shares) / maxShares).toFixed(3) : '0';
      if (row.depth !== depth) {
        row.depth = depth;
        row.tr.style.setProperty('--depth', depth);
      }
      next.set(key, row);
      sequence.push(row.tr);
    };
    for (let i = book.asks.length - 1; i >= 0; i--) add('ask', book.asks[i] as PriceLevelView);
    if (book.asks.length === 0) sequence.push(this.noAsks);
    sequence.push(this.mid);
    for (const level of book.bids) add('bid', level);
    if (book.bids.length === 0) sequence.push(this.noBids);
    this.rows = next;

    // Put each row at its index, moving only rows that are out of place, then drop leftovers.
    const children = this.tbody.children;
    sequence.forEach((tr, i) => {
      const at = children[i] ?? null;
      if (at !== tr) this.tbody.insertBefore(tr, at);
    });
    while (children.length > sequence.length) children[children.length - 1]?.remove();

    setText(
      this.levels,
      `${book.bids.length}/${book.bidLevels} bids · ${book.asks.length}/${book.askLevels} asks`,
    );

    if (this.recenter && (book.bids.length > 0 || book.asks.length > 0)) {
      this.recenter = false;
      const offset =
        this.mid.getBoundingClientRect().top - this.scroller.getBoundingClientRect().top;
      this.scroller.scrollTop += offset - (this.scroller.clientHeight - this.mid.offsetHeight) / 2;
    }
  }

  private createRow(side: Side, price: string): LevelRow {
    const shares = h('td', { class: 'num' });
    const orders = h('td', { class: 'num' });
    const tr = h(
      'tr',
      { class: `level ${side}`, 'data-side': side, 'data-price': price },
      h('td', { class: 'num price' }, price),
      shares,
      orders,
    );
    return { tr, shares, orders, depth: '' };
  }
}
