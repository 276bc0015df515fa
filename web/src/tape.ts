// The trades tape: newest first, the last 100 trades. New trades are prepended in one
// DocumentFragment per frame; a REST load (new symbol, or after a reconnect) merges and
// rebuilds once.
import type { TradeView } from '../../src/http/api-types.js';
import { h, setText } from './dom.js';
import { fmtClock, fmtDateTime } from './format.js';
import type { Renderable } from './scheduler.js';

export const TAPE_ROWS = 50;

/** Order ids rise with time, so the higher id of a trade is the incoming (taker) order. */
const takerId = (t: TradeView): number => Math.max(t.buyOrderId, t.sellOrderId);

/** Two orders trade with each other at most once, so this names one trade. */
const tradeKey = (t: TradeView): string =>
  `${t.buyOrderId}/${t.sellOrderId}/${t.time}/${t.price}/${t.shares}`;

function tradeRow(t: TradeView): HTMLTableRowElement {
  const taker = t.buyOrderId > t.sellOrderId ? 'buy' : 'sell';
  return h(
    'tr',
    {
      class: `trade taker-${taker}`,
      'data-buy-order': t.buyOrderId,
      'data-sell-order': t.sellOrderId,
      'data-time': t.time,
      'data-taker': taker,
    },
    h('td', { class: 'time', title: fmtDateTime(t.time) }, fmtClock(t.time)),
    h('td', { class: 'num price', title: `${taker} order took liquidity` }, t.price),
    h('td', { class: 'num shares' }, t.shares),
    h('td', { class: 'num order-ref', 'data-order': t.buyOrderId }, String(t.buyOrderId)),
    h('td', { class: 'num order-ref', 'data-order': t.sellOrderId }, String(t.sellOrderId)),
  );
}

export class TradesTape implements Renderable {
  /** What the table shows after the next render, newest first. */
  private model: TradeView[] = [];
  private readonly keys = new Set<string>();
  /** How many trades at the front of the model are not in the table yet. */
  private fresh = 0;
  private rebuild = true;
  private dropped = 0;
  private readonly tbody: HTMLTableSectionElement;

  constructor(
    table: HTMLTableElement,
    private readonly droppedEl: HTMLElement,
    private readonly emptyEl: HTMLElement,
    onOrderClick: (orderId: string) => void,
  ) {
    this.tbody = table.tBodies[0] ?? table.createTBody();
    this.tbody.addEventListener('click', (event) => {
      const cell = event.target instanceof Element ? event.target.closest('td[data-order]') : null;
      const id = cell?.getAttribute('data-order');
      if (id) onOrderClick(id);
    });
  }

  reset(): void {
    this.model = [];
    this.keys.clear();
    this.fresh = 0;
    this.dropped = 0;
    this.rebuild = true;
  }

  /** Live trades, newest first. */
  add(trades: readonly TradeView[], dropped: number): void {
    this.dropped += dropped;
    const added = trades.filter((t) => !this.keys.has(tradeKey(t))).slice(0, TAPE_ROWS);
    if (added.length === 0) return;
    for (const t of added) this.keys.add(tradeKey(t));
    this.model = added.concat(this.model);
    this.fresh = Math.min(TAPE_ROWS, this.fresh + added.length);
    this.trim();
  }

  /** Trades from GET …/trades: merged with what is shown, in taker order, newest first. */
  load(trades: readonly TradeView[]): void {
    const merged = this.model.slice();
    for (const t of trades) {
      const key = tradeKey(t);
      if (this.keys.has(key)) continue;
      this.keys.add(key);
      merged.push(t);
    }
    merged.sort((a, b) => takerId(b) - takerId(a)); // stable: a taker's fills keep their order
    this.model = merged;
    this.trim();
    this.rebuild = true;
  }

  newestPrice(): string | null {
    return this.model[0]?.price ?? null;
  }

  render(): void {
    if (this.rebuild) {
      const fragment = document.createDocumentFragment();
      for (const t of this.model) fragment.append(tradeRow(t));
      this.tbody.replaceChildren(fragment);
    } else if (this.fresh > 0) {
      const fragment = document.createDocumentFragment();
      for (let i = 0; i < this.fresh; i++) fragment.append(tradeRow(this.model[i] as TradeView));
      this.tbody.prepend(fragment);
      const rows = this.tbody.rows;
      while (rows.length > TAPE_ROWS) this.tbody.deleteRow(-1);
    }
    this.rebuild = false;
    this.fresh = 0;
    this.emptyEl.hidden = this.model.length > 0;
    setText(
      this.droppedEl,
      this.dropped > 0
        ? `${this.dropped} older trades not shown (more than the feed sends per update)`
        : '',
    );
  }

  private trim(): void {
    if (this.model.length <= TAPE_ROWS) return;
    for (const t of this.model.slice(TAPE_ROWS)) this.keys.delete(tradeKey(t));
    this.model.length = TAPE_ROWS;
  }
}
