// A stored state into the column engine, when the column engine can hold all of it: limit,
// market and stop-limit orders without fees (open only if they rest or wait: the others have
// closed), amended or not, every value within its ranges. Otherwise it says so and hands back
// a snapshot the classic engine can restore instead. The orders may be a one-pass stream:
// they are read once, and a refusal midway hands the classic engine the rows already read
// (rebuilt from the columns) followed by the rest of the stream.

import * as pair from '../../decimal/exact-pair.js';
import { termsOf, type OrderRow, type Snapshot } from '../changes.js';
import { kindOfTerms, MAX_UNITS, stopTerms } from './order-terms.js';
import { STORED } from './column-state.js';
import { referenceCheck } from '../snapshot-references.js';
import { ColumnExchange, MAX_ID } from './column-exchange.js';
import { orderRow } from './column-changes.js';
import { bigOrderRow } from '../big-rows.js';

const PAIR_LIMIT = BigInt(pair.LIMIT);

export type ColumnRestore =
  { readonly engine: ColumnExchange } | { readonly engine: null; readonly snapshot: Snapshot };

export function restoreColumns(snapshot: Snapshot): ColumnRestore {
  const refused = { engine: null, snapshot } as const;
  if (!fitsColumns(snapshot)) return refused;
  const check = referenceCheck(snapshot);
  const engine = new ColumnExchange();
  for (const row of snapshot.symbols) engine.addSymbol(row.sym, row.granted, row.seq);
  for (const row of snapshot.accounts) {
    const hi = pair.fromBigInt(row.cash);
    engine.addAccount(row.id, hi, pair.low(), row.deposited);
  }
  for (const row of snapshot.positions) {
    const a = engine.accountIndex.get(row.account);
    const s = engine.symbolIndex.get(row.sym);
    if (a === undefined || s === undefined) continue; // named by the check
    const p = engine.position(a, s);
    engine.sharesHi[p] = pair.fromBigInt(row.shares);
    engine.sharesLo[p] = pair.low();
  }
  /** Orders that exist but were not built (their own references dangle). */
  const unbuilt = new Set<number>();
  const unbuiltRows: OrderRow<bigint>[] = [];
  let maxId = 0;
  const iterator = snapshot.orders[Symbol.iterator]();
  for (let next = iterator.next(); next.done !== true; next = iterator.next()) {
    const row = next.value;
    check.order(row);
    if (!orderFits(row)) {
      const orders = continued(engine, unbuiltRows, row, iterator);
      return { engine: null, snapshot: { ...snapshot, orders } };
    }
    maxId = Math.max(maxId, row.id);
    const a = engine.accountIndex.get(row.account);
    const s = engine.symbolIndex.get(row.sym);
    if (a === undefined || s === undefined) {
      unbuilt.add(row.id);
      unbuiltRows.push(row);
      continue;
    }
    const slot = engine.takeSlot(row.id);
    engine.shares[slot] = Number(row.shares);
    engine.open[slot] = Number(row.open);
    engine.limit[slot] = Number(row.limit);
    engine.time[slot] = row.time;
    engine.priority[slot] = row.priority;
    engine.owner[slot] = a;
    engine.sym[slot] = s;
    engine.buy[slot] = row.isBuy ? 1 : 0;
    const terms = termsOf(row);
    const kind = kindOfTerms(terms);
    engine.kind[slot] = kind;
    if (terms.stop !== null) {
      engine.stopPrice[slot] = Number(terms.stop);
      const record = { terms: stopTerms(kind, terms.stop), triggeredAt: row.triggeredAt };
      engine.stopsOf.set(slot, record);
    }
    engine.flags[slot] = STORED;
    engine.nextPriority = Math.max(engine.nextPriority, row.priority + 1);
  }
  check.journal((id) => engine.slotOf(id) !== 0 || unbuilt.has(id));
  if (check.problems.length > 0) {
    const dangling = check.problems;
    const more = dangling.length > 5 ? ` and ${dangling.length - 5} more` : '';
    throw new Error(`the stored state is inconsistent: ${dangling.slice(0, 5).join('; ')}${more}`);
  }
  engine.nextId = Math.max(maxId + 1, snapshot.nextOrderId ?? 1);
  engine.nextPriority = Math.max(engine.nextPriority, snapshot.nextPriority ?? 1);
  for (const row of snapshot.executions) {
    const buy = engine.slotOf(row.buyOrderId);
    const sell = engine.slotOf(row.sellOrderId);
    if (buy === 0 && sell === 0) continue;
    const e = engine.takeExec();
    engine.execShares[e] = Number(row.shares);
    engine.execPrice[e] = Number(row.price);
    engine.execTime[e] = row.time;
    engine.execBuy[e] = row.buyOrderId;
    engine.execSell[e] = row.sellOrderId;
    engine.execSym[e] = engine.symbolIndex.get(row.sym)!;
    engine.execHolders[e] = (buy === 0 ? 0 : 1) + (sell === 0 ? 0 : 1);
    if (buy !== 0) engine.addFill(buy, e, engine.nextOfBuy);
    if (sell !== 0) engine.addFill(sell, e, engine.nextOfSell);
  }
  for (const row of snapshot.cancels) {
    const slot = engine.slotOf(row.orderId);
    if (slot === 0) continue;
    engine.canceled[slot] = 1;
    engine.canceledShares[slot] = Number(row.shares);
    engine.canceledTime[slot] = row.time;
  }
  for (const row of snapshot.amendments) {
    const slot = engine.slotOf(row.orderId);
    if (slot !== 0) engine.addAmendment(slot, Number(row.open), Number(row.limit), row.time);
  }
  // Closed orders can go at once (their state is the store's); waiting stops wait in id order
  // and open orders rest in queue order, as the classic engine restores them.
  const resting: number[] = [];
  for (const slot of engine.slots.slotsInIdOrder()) {
    if (engine.open[slot] === 0) {
      engine.closedSlots.push(slot);
      engine.closedBatch.push(0);
    } else if (engine.isWaiting(slot)) {
      engine.addWaiting(slot);
      engine.accountOrders.append(engine.owner[slot]!, slot);
    } else resting.push(slot);
  }
  resting.sort((a, b) => engine.priority[a]! - engine.priority[b]!);
  for (const slot of resting) engine.rest(slot);
  engine.takeChanges();
  return { engine };
}

/** Whether the state outside the orders fits the columns (the orders are checked as read). */
function fitsColumns(snapshot: Snapshot): boolean {
  for (const row of snapshot.amendments) {
    if (row.open > MAX_UNITS || row.limit > MAX_UNITS) return false;
  }
  let deposited = 0n;
  for (const row of snapshot.accounts) {
    deposited += row.deposited;
    if (row.cash < 0n || row.cash >= PAIR_LIMIT) return false;
  }
  if (deposited >= PAIR_LIMIT) return false;
  for (const row of snapshot.symbols) if (row.granted >= PAIR_LIMIT) return false;
  for (const row of snapshot.executions) {
    if (row.buyFee !== null || row.sellFee !== null) return false;
    if (row.shares > MAX_UNITS || row.price > MAX_UNITS) return false;
  }
  for (const row of snapshot.cancels) if (row.shares > MAX_UNITS) return false;
  return (snapshot.nextOrderId ?? 1) <= MAX_ID;
}

function orderFits(row: OrderRow<bigint>): boolean {
  const terms = termsOf(row);
  const market = terms.type === 'market';
  // Only a good-till-canceled limit order rests, and a stop waits; what else the columns hold
  // has closed.
  const rests =
    (terms.tif === 'GTC' && !market) || (terms.stop !== null && row.triggeredAt === null);
  return (
    (terms.stop === null || (!market && terms.stop <= MAX_UNITS)) &&
    terms.makerFee === 0n &&
    terms.takerFee === 0n &&
    (rests || row.open === 0n) &&
    (market ? row.limit === 0n : row.limit > 0n) &&
    row.id <= MAX_ID &&
    row.shares <= MAX_UNITS &&
    row.limit <= MAX_UNITS
  );
}

/**
 * The rows read so far in id order (those built rebuilt from the columns, merged with those
 * that were not), then `row`, then the rest of the stream.
 */
function* continued(
  engine: ColumnExchange,
  unbuilt: readonly OrderRow<bigint>[],
  row: OrderRow<bigint>,
  rest: Iterator<OrderRow<bigint>>,
): Generator<OrderRow<bigint>> {
  let u = 0;
  for (const slot of engine.slots.slotsInIdOrder()) {
    while (u < unbuilt.length && unbuilt[u]!.id < engine.orderId[slot]!) yield unbuilt[u++]!;
    yield bigOrderRow(orderRow(engine, slot));
  }
  while (u < unbuilt.length) yield unbuilt[u++]!;
  yield row;
  for (let next = rest.next(); next.done !== true; next = rest.next()) yield next.value;
}
