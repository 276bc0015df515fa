// Orders: the ticket that places one, and the lookup that shows one (its terms, fills with
// fees, cancel and amends) with an amend form while it is open in the book.
import type {
  AmendmentView,
  AmendOrderBody,
  FillView,
  OrderView,
  PlaceOrderBody,
} from '../../src/http/api-types.js';
import { ApiRequestError, api, describeError } from './api.js';
import { dataTable, field, h } from './dom.js';
import { fmtDateTime } from './format.js';
import { bindLookup } from './lookup.js';

function fillRow(f: FillView): HTMLTableRowElement {
  return h(
    'tr',
    null,
    h('td', { class: 'num' }, f.shares),
    h('td', { class: 'num' }, f.price),
    h('td', { class: 'num' }, f.fee ?? ''),
    h('td', { class: 'time' }, fmtDateTime(f.time)),
  );
}

function amendmentRow(a: AmendmentView): HTMLTableRowElement {
  return h(
    'tr',
    null,
    h('td', { class: 'num' }, a.open),
    h('td', { class: 'num' }, a.limit),
    h('td', { class: 'time' }, fmtDateTime(a.time)),
  );
}

/** Amendable: open in the book (a waiting stop is not, and a market order never rests). */
function amendable(o: OrderView): boolean {
  return o.status === 'open' && o.stop?.waiting !== true && o.limit !== null;
}

function amendForm(o: OrderView): HTMLFormElement {
  return h(
    'form',
    { class: 'amend', 'data-order-id': o.id },
    h('input', { name: 'amount', inputmode: 'decimal', placeholder: `open ${o.open}` }),
    h('input', { name: 'limit', inputmode: 'decimal', placeholder: `limit ${o.limit}` }),
    h('button', { type: 'submit' }, 'Amend'),
    h('span', { class: 'form-status', role: 'status' }),
  );
}

function renderOrder(o: OrderView): Node {
  const fills =
    o.fills.length > 0
      ? dataTable(
          { id: 'order-fills', class: 'compact' },
          ['Shares#', 'Price#', 'Fee#', 'Time'],
          o.fills.map(fillRow),
        )
      : h('p', { class: 'empty' }, 'No fills.');
  const stop =
    o.stop === null ? [] : [field('Stop', `${o.stop.price}${o.stop.waiting ? ' (waiting)' : ''}`)];
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
      field('Type', `${o.type} ${o.tif}`),
      field('Shares', o.shares),
      field('Open', o.open, 'order-open'),
      field('Limit', o.limit ?? '—', 'order-limit'),
      ...stop,
      ...(o.stp === null ? [] : [field('STP', o.stp)]),
      field('Placed', fmtDateTime(o.time)),
      ...(o.canceled
        ? [field('Canceled', `${o.canceled.shares} at ${fmtDateTime(o.canceled.time)}`)]
        : []),
    ),
    ...(amendable(o) ? [amendForm(o)] : []),
    h('h3', null, `Fills (${o.fills.length})`),
    fills,
    ...(o.amendments.length > 0
      ? [
          h('h3', null, `Amends (${o.amendments.length})`),
          dataTable(
            { id: 'order-amendments', class: 'compact' },
            ['Open#', 'Limit#', 'Time'],
            o.amendments.map(amendmentRow),
          ),
        ]
      : []),
  );
}

/** A refusal as one line: the server's own message says what was wrong. */
function refusal(err: unknown, thing: string): string {
  return err instanceof ApiRequestError && err.status >= 400 && err.status !== 401
    ? `${err.message} (${err.code})`
    : describeError(err, thing);
}

/** Wires the order lookup and its amend form; returns a function to look an order up. */
export function bindOrderLookup(
  form: HTMLFormElement,
  input: HTMLInputElement,
  result: HTMLElement,
): (orderId: string) => void {
  const lookUp = bindLookup({
    form,
    input,
    result,
    thing: 'order',
    fetch: api.order,
    render: renderOrder,
  });
  result.addEventListener('submit', (event) => {
    const amend = event.target;
    if (!(amend instanceof HTMLFormElement) || !amend.classList.contains('amend')) return;
    event.preventDefault();
    const data = new FormData(amend);
    const body: { -readonly [K in keyof AmendOrderBody]: AmendOrderBody[K] } = {};
    const amount = String(data.get('amount') ?? '').trim();
    const limit = String(data.get('limit') ?? '').trim();
    if (amount) body.amount = amount;
    if (limit) body.limit = limit;
    const status = amend.querySelector('.form-status');
    if (status) status.textContent = 'Amending…';
    api.amendOrder(Number(amend.dataset.orderId), body).then(
      (order) => lookUp(String(order.id)),
      (err: unknown) => {
        if (status) status.textContent = refusal(err, 'order');
      },
    );
  });
  return lookUp;
}

/**
 * Wires the order ticket: it places an order for the account in the ticket, in the symbol
 * the dashboard shows, then shows the order as the exchange answered it.
 */
export function bindOrderTicket(
  form: HTMLFormElement,
  status: HTMLElement,
  currentSymbol: () => string | null,
  showOrder: (orderId: string) => void,
): void {
  const control = (name: string) => form.elements.namedItem(name) as HTMLInputElement;
  // A market order takes no limit and no stop, and only IOC: the fields say so as you choose.
  const syncType = (): void => {
    const market = control('type').value === 'market';
    for (const name of ['limit', 'stop', 'tif']) control(name).disabled = market;
  };
  control('type').addEventListener('change', syncType);
  syncType();

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const symbol = currentSymbol();
    const account = control('account').value.trim();
    if (symbol === null || !account) {
      status.textContent = symbol === null ? 'Choose a symbol first.' : 'Enter an account id.';
      status.dataset.state = 'error';
      return;
    }
    const value = (name: string): string | undefined => {
      const c = control(name);
      const text = c.value.trim();
      return c.disabled || text === '' ? undefined : text;
    };
    const amount = value('amount') ?? '';
    const body: PlaceOrderBody = {
      symbol,
      amount: control('side').value === 'sell' ? `-${amount}` : amount,
      limit: value('limit'),
      type: value('type') === 'market' ? 'market' : undefined,
      tif: value('tif'),
      stop: value('stop'),
      stp: value('stp'),
    };
    status.textContent = 'Placing…';
    status.dataset.state = 'loading';
    api.placeOrder(account, body).then(
      (order) => {
        status.textContent = `Order ${order.id}: ${order.status}, ${order.open} open of ${order.shares}.`;
        status.dataset.state = 'ok';
        showOrder(String(order.id));
      },
      (err: unknown) => {
        status.textContent = refusal(err, 'account');
        status.dataset.state = 'error';
      },
    );
  });
}
