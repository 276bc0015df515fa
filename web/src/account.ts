// Account lookup: balance, reserved cash, positions and open orders.
import type { AccountView, OrderView, PositionView } from '../../src/http/api-types.js';
import { api } from './api.js';
import { dataTable, field, h } from './dom.js';
import { fmtDateTime, fmtShortDateTime } from './format.js';
import { bindLookup } from './lookup.js';

function positionRow(p: PositionView): HTMLTableRowElement {
  return h(
    'tr',
    { 'data-symbol': p.symbol },
    h('td', null, p.symbol),
    h('td', { class: 'num' }, p.shares),
    h('td', { class: 'num' }, p.reservedShares),
  );
}

function openOrderRow(o: OrderView): HTMLTableRowElement {
  return h(
    'tr',
    { 'data-order-id': o.id, 'data-side': o.side },
    h('td', { class: 'num order-ref', 'data-order': o.id }, String(o.id)),
    h('td', null, o.symbol),
    h('td', { class: `side ${o.side}` }, o.side),
    h('td', { class: 'num' }, o.shares),
    h('td', { class: 'num' }, o.open),
    h('td', { class: 'num' }, o.limit ?? '—'),
    h('td', { class: 'time', title: fmtDateTime(o.time) }, fmtShortDateTime(o.time)),
  );
}

function renderAccount(a: AccountView): Node {
  const positions =
    a.positions.length > 0
      ? dataTable(
          { id: 'account-positions', class: 'compact' },
          ['Symbol', 'Shares#', 'Reserved#'],
          a.positions.map(positionRow),
        )
      : h('p', { class: 'empty' }, 'No positions.');
  const orders =
    a.openOrders.length > 0
      ? dataTable(
          { id: 'account-open-orders', class: 'compact' },
          ['Order#', 'Symbol', 'Side', 'Shares#', 'Open#', 'Limit#', 'Time'],
          a.openOrders.map(openOrderRow),
        )
      : h('p', { class: 'empty' }, 'No open orders.');
  return h(
    'div',
    { class: 'account', 'data-account': a.id },
    h(
      'dl',
      { class: 'kv' },
      field('Account', a.id, 'account-view-id'),
      field('Balance', a.balance, 'account-balance'),
      field('Reserved cash', a.reservedCash, 'account-reserved-cash'),
    ),
    h('h3', null, `Positions (${a.positions.length})`),
    positions,
    h('h3', null, `Open orders (${a.openOrders.length})`),
    orders,
  );
}

export function bindAccountLookup(
  form: HTMLFormElement,
  input: HTMLInputElement,
  result: HTMLElement,
  onOrderClick: (orderId: string) => void,
): void {
  bindLookup({ form, input, result, thing: 'account', fetch: api.account, render: renderAccount });
  result.addEventListener('click', (event) => {
    const cell = event.target instanceof Element ? event.target.closest('td[data-order]') : null;
    const id = cell?.getAttribute('data-order');
    if (id) onOrderClick(id);
  });
}
