// What a conformance check has at hand: requests to the server under test over the classic
// port, fresh account ids and symbols for this run (so checks never collide with each other
// or with data already there), and readers for the replies.

import { connect } from 'node:net';
import { frameRequest, sendRaw } from '../client/classic-client.js';
import { parseXmlTree, type XmlElement } from '../../src/protocol/xml-tree.js';
import { affordable, CASH_SCALE, fromScaled, reservation, SHARE_SCALE, toScaled } from './money.js';
import type { FeeSchedule } from './money.js';

/** A check that did not hold: what was sent, what came back, what was expected. */
export class CheckFailure extends Error {
  constructor(
    message: string,
    readonly request?: string,
    readonly reply?: string,
  ) {
    super(message);
  }
}

/** A check that cannot tell on this server, e.g. because data already there hides the answer. */
export class CheckSkipped extends Error {}

export interface Reply {
  readonly xml: string;
  /** The children of <results>. */
  readonly children: readonly XmlElement[];
}

export interface OrderState {
  /** The request and reply it was read from, for a failure report. */
  readonly request: string;
  readonly reply: string;
  readonly open: string | null;
  readonly canceled: string | null;
  readonly executed: readonly { shares: string; price: string }[];
}

/** A decimal in canonical form: no sign on zero, no leading or trailing zeros. */
export function canonicalNumber(text: string): string | null {
  const m = /^\s*([+-]?)(\d*)(?:\.(\d*))?\s*$/.exec(text);
  if (m === null || (m[2] === '' && (m[3] ?? '') === '')) return null;
  const whole = m[2]!.replace(/^0+(?=\d)/, '') || '0';
  const fraction = (m[3] ?? '').replace(/0+$/, '');
  const magnitude = fraction === '' ? whole : `${whole}.${fraction}`;
  return magnitude === '0' || m[1] !== '-' ? magnitude : `-${magnitude}`;
}

export const sameNumber = (a: string | undefined, b: string): boolean =>
  a !== undefined && canonicalNumber(a) !== null && canonicalNumber(a) === canonicalNumber(b);

export class CheckContext {
  private readonly prefix: string;
  private probeSymbol: Promise<string> | null = null;

  constructor(
    readonly host: string,
    readonly port: number,
    readonly timeoutMs = 5000,
    /** The server's fee schedule; none when it charges no fees. */
    readonly fees: FeeSchedule | null = null,
  ) {
    this.prefix = `${Date.now() % 1e9}${Math.floor(Math.random() * 1000)}`.padStart(12, '0');
  }

  /** An account id unique to this run (digits only). */
  account(n: number): string {
    return `${this.prefix}${String(n).padStart(2, '0')}`;
  }

  /** A symbol unique to this run (letters and digits). */
  symbol(tag: string): string {
    return `CK${Number(this.prefix).toString(36).toUpperCase()}${tag}`;
  }

  /** Sends raw bytes on a new connection; resolves with everything until the server closes. */
  raw(bytes: Buffer | string): Promise<string> {
    return sendRaw(this.port, bytes, { host: this.host, timeoutMs: this.timeoutMs });
  }

  /** Sends the bytes in pieces with a pause between them, as slow networks do. */
  fragments(pieces: readonly Buffer[], pauseMs = 2): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port: this.port, host: this.host });
      const chunks: Buffer[] = [];
      socket.setTimeout(this.timeoutMs, () => socket.destroy(new Error('no reply in time')));
      socket.on('data', (c: Buffer) => chunks.push(c));
      socket.on('error', reject);
      socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
      socket.on('connect', async () => {
        for (const piece of pieces) {
          if (socket.destroyed) return;
          socket.write(piece);
          await new Promise((r) => setTimeout(r, pauseMs));
        }
      });
    });
  }

  /** One request; the reply must be a <results> document. */
  async send(xml: string): Promise<Reply> {
    const text = await this.raw(frameRequest(xml));
    return parseReply(text, xml);
  }

  /** Creates accounts and grants, each of which must succeed. */
  async create(
    accounts: readonly [id: string, balance: string][],
    grants: readonly [sym: string, id: string, shares: string][] = [],
  ): Promise<void> {
    let xml = '<create>';
    for (const [id, balance] of accounts) xml += `<account id="${id}" balance="${balance}"/>`;
    for (const [sym, id, shares] of grants)
      xml += `<symbol sym="${sym}"><account id="${id}">${shares}</account></symbol>`;
    xml += '</create>';
    const reply = await this.send(xml);
    const created = reply.children.filter((c) => c.name === 'created').length;
    expect(
      created === accounts.length + grants.length,
      'every account and grant is created',
      xml,
      reply,
    );
  }

  /** Places an order that must open; returns its transaction id. */
  async order(account: string, sym: string, amount: string, limit: string): Promise<string> {
    const xml = transactions(account, `<order sym="${sym}" amount="${amount}" limit="${limit}"/>`);
    const reply = await this.send(xml);
    const opened = reply.children[0];
    expect(
      reply.children.length === 1 &&
        opened?.name === 'opened' &&
        /^\d+$/.test(opened.attributes.id ?? ''),
      `the order is opened with a transaction id`,
      xml,
      reply,
    );
    return opened!.attributes.id!;
  }

  /** Places an order that must be refused with an <error>. */
  async orderRefused(account: string, sym: string, amount: string, limit: string): Promise<void> {
    const xml = transactions(account, `<order sym="${sym}" amount="${amount}" limit="${limit}"/>`);
    const reply = await this.send(xml);
    expect(
      reply.children.length === 1 && reply.children[0]!.name === 'error',
      'the order is refused with an <error>',
      xml,
      reply,
    );
  }

  /** Queries an order; the reply must be one <status>. */
  query(account: string, id: string): Promise<OrderState> {
    return this.orderRequest(account, 'query', 'status', id);
  }

  /** Cancels an order; the reply must be one <canceled>. */
  cancel(account: string, id: string): Promise<OrderState> {
    return this.orderRequest(account, 'cancel', 'canceled', id);
  }

  /**
   * Sends `children` for `account` and fails unless the reply is exactly `expected` (see
   * matchReply); resolves with the values of its `{ID}` placeholders, in order.
   */
  async expectReply(
    what: string,
    account: string,
    children: string,
    expected: string,
  ): Promise<string[]> {
    const xml = transactions(account, children);
    const reply = await this.send(xml);
    const ids = matchReply(reply, expected);
    if (ids === null) {
      throw new CheckFailure(
        `${what}: ${canonicalChildren(parseExpected(expected))}`,
        xml,
        reply.xml,
      );
    }
    return ids;
  }

  /**
   * Fails unless `account` has exactly `cash` available (as far as 8-digit orders can tell:
   * with a taker fee the window is one share unit's cost wide). The protocol has no balance
   * query, so it asks what the cash buys: the largest buy at limit 1 that fits must open and
   * one share unit more must be refused; the probe is canceled again, in a symbol of its own
   * that never trades.
   */
  async expectCash(what: string, account: string, cash: string): Promise<void> {
    const sym = await this.cashProbeSymbol();
    const taker = this.fees?.taker ?? 0n;
    const one = 10n ** BigInt(SHARE_SCALE);
    const fits = affordable(toScaled(cash, CASH_SCALE), one, taker);
    const shares = (s: bigint): string => fromScaled(s, SHARE_SCALE);
    const tooMuch = `<order sym="${sym}" amount="${shares(fits + 1n)}" limit="1"/>`;
    const probe = fits > 0n ? `<order sym="${sym}" amount="${shares(fits)}" limit="1"/>` : '';
    const xml = transactions(account, tooMuch + probe);
    const reply = await this.send(xml);
    const [refused, opened] = reply.children;
    const want =
      `${what}: ${cash} cash available, so a buy reserving ` +
      `${fromScaled(reservation(fits + 1n, one, taker), CASH_SCALE)} is refused` +
      (fits > 0n
        ? ` and one reserving ${fromScaled(reservation(fits, one, taker), CASH_SCALE)} opens`
        : '');
    expect(
      refused?.name === 'error' &&
        (fits === 0n
          ? reply.children.length === 1
          : reply.children.length === 2 && opened?.name === 'opened'),
      want,
      xml,
      reply,
    );
    if (opened !== undefined) await this.cancel(account, opened.attributes.id ?? '');
  }

  /** A symbol only the cash probes use: its orders are all buys, so it never trades. */
  private cashProbeSymbol(): Promise<string> {
    this.probeSymbol ??= (async () => {
      const sym = this.symbol('CASH');
      // The bare prefix: every other account of the run has digits after it.
      const holder = this.prefix;
      await this.create([[holder, '0']], [[sym, holder, '1']]);
      return sym;
    })();
    return this.probeSymbol;
  }

  private async orderRequest(
    account: string,
    child: 'query' | 'cancel',
    answer: 'status' | 'canceled',
    id: string,
  ): Promise<OrderState> {
    const xml = transactions(account, `<${child} id="${id}"/>`);
    const reply = await this.send(xml);
    const element = reply.children[0];
    expect(
      reply.children.length === 1 && element?.name === answer && element.attributes.id === id,
      `the ${child} is answered with <${answer} id="${id}">`,
      xml,
      reply,
    );
    return orderState(element!, xml, reply.xml);
  }
}

export const transactions = (account: string, children: string): string =>
  `<transactions id="${account}">${children}</transactions>`;

export function parseReply(text: string, request: string): Reply {
  const tree = parseXmlTree(Buffer.from(text, 'utf8'));
  if (!tree.ok || tree.root.name !== 'results') {
    throw new CheckFailure('the reply is one <results> document', request, text);
  }
  return { xml: text, children: tree.root.children };
}

function orderState(element: XmlElement, request: string, reply: string): OrderState {
  const one = (name: string): string | null =>
    element.children.find((c) => c.name === name)?.attributes.shares ?? null;
  return {
    request,
    reply,
    open: one('open'),
    canceled: one('canceled'),
    executed: element.children
      .filter((c) => c.name === 'executed')
      .map((c) => ({ shares: c.attributes.shares ?? '', price: c.attributes.price ?? '' })),
  };
}

export function expect(
  condition: boolean,
  what: string,
  request?: string,
  reply?: Reply | string,
): asserts condition {
  if (!condition)
    throw new CheckFailure(what, request, typeof reply === 'string' ? reply : reply?.xml);
}

/** Whether an order state is exactly this (numbers compared as decimals). */
export function stateIs(
  state: OrderState,
  open: string | null,
  canceled: string | null,
  executed: readonly [shares: string, price: string][],
): boolean {
  const same = (a: string | null, b: string | null): boolean =>
    a === null || b === null ? a === b : sameNumber(a, b);
  return (
    same(state.open, open) &&
    same(state.canceled, canceled) &&
    state.executed.length === executed.length &&
    state.executed.every(
      (e, i) => sameNumber(e.shares, executed[i]![0]) && sameNumber(e.price, executed[i]![1]),
    )
  );
}

const describe = (
  open: string | null,
  canceled: string | null,
  executed: readonly { shares: string; price: string }[],
): string =>
  `open ${open ?? '-'}, canceled ${canceled ?? '-'}, executed [${executed.map((e) => `${e.shares}@${e.price}`).join(', ')}]`;

/** Fails unless the order state is exactly this. */
export function expectState(
  what: string,
  state: OrderState,
  open: string | null,
  canceled: string | null,
  executed: readonly [shares: string, price: string][],
): void {
  const want = describe(
    open,
    canceled,
    executed.map(([shares, price]) => ({ shares, price })),
  );
  expect(
    stateIs(state, open, canceled, executed),
    `${what}: expected ${want}, got ${describe(state.open, state.canceled, state.executed)}`,
    state.request,
    state.reply,
  );
}

const escapeXml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * An element on one line: attributes in the order they came, text trimmed, the white space
 * between elements dropped (a layout any XML client may ignore).
 */
export function canonical(element: XmlElement): string {
  const attributes = Object.entries(element.attributes)
    .map(([name, value]) => ` ${name}="${escapeXml(value)}"`)
    .join('');
  const inner = escapeXml(element.text.trim()) + element.children.map(canonical).join('');
  return inner === ''
    ? `<${element.name}${attributes}/>`
    : `<${element.name}${attributes}>${inner}</${element.name}>`;
}

export const canonicalChildren = (children: readonly XmlElement[]): string =>
  children.map(canonical).join('');

function parseExpected(expected: string): readonly XmlElement[] {
  const tree = parseXmlTree(Buffer.from(`<results>${expected}</results>`, 'utf8'));
  if (!tree.ok) throw new Error(`a check's expected reply is not XML: ${expected}`);
  return tree.root.children;
}

/**
 * Whether the reply's children are exactly `expected`: the same elements, the same attributes
 * in the same order with the same values, the same text. In expected attribute values, `{T}`
 * stands for any time (digits) and `{ID}` for any id (digits), which is captured. An <error>
 * matches its message alone or followed by ": " and a detail: details name the offending
 * value and may change, so the protocol tells clients to compare the fixed text only.
 * Resolves with the captured ids, in order; null when the reply differs.
 */
export function matchReply(reply: Reply, expected: string): string[] | null {
  const pattern = canonicalChildren(parseExpected(expected))
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/\\\{T\\\}/g, '\\d+')
    .replace(/\\\{ID\\\}/g, '(\\d+)')
    .replace(/<\/error>/g, '(?:: [^<]*)?</error>');
  const match = new RegExp(`^${pattern}$`).exec(canonicalChildren(reply.children));
  return match === null ? null : match.slice(1);
}
