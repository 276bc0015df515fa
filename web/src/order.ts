// Order lookup: one order's state, fills and cancellation.
import type { FillView, OrderView } from '../../src/http/api-types.js';
import { api } from './api.js';
import { dataTable, field, h } from './dom.js';
import { fmtDateTime } from './format.js';
import { bindLookup } from './lookup.js';

function fillRow(f: FillView): HTMLTableRowElement {
  return h(
    'tr',
    null,
    h('td', { class: 'num' }, f.shares),
    h('td', { class: 'num' }, f.price),
    h('td', { class: 'time' }, fmtDateTime(f.time)),
  );
}

function renderOrder(o: OrderView): Node {
  const fills =
    o.fills.length > 0
      ? dataTable(
          { id: 'order-fills', class: 'compact' },
          ['Shares#', 'Price#', 'Time'],
          o.fills.map(fillRow),
        )
      : h('p', { class: 'empty' }, 'No fills.');
  return h(
    'div',
    { class: 'order', 'data-order-id': o.id, 'data-status': o.status },
    h(
      'dl',
      { class: 'kv' },
      field('Order', String(o.id)),
      field('Status', o.status, 'order-status'),
      field('Account', o.account),
      field('Symbol', o.symbol),
      field('Side', o.side),
      field('Shares', o.shares),
      field('Open', o.open),
      field('Limit', o.limit),
      field('Placed', fmtDateTime(o.time)),
      ...(o.canceled
        ? [field('Canceled', `${o.canceled.shares} at ${fmtDateTime(o.canceled.time)}`)]
        : []),
    ),
    h('h3', null, `Fills (${o.fills.length})`),
    fills,
  );
}

/** Wires the order form; returns a function to look an order up from elsewhere. */
export function bindOrderLookup(
  form: HTMLFormElement,
  input: HTMLInputElement,
  result: HTMLElement,
): (orderId: string) => void {
  return bindLookup({ form, input, result, thing: 'order', fetch: api.order, render: renderOrder });
}
