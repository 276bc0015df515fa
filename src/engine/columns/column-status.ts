// An order of the column engine as its replies report it: the classic engine's OrderStatus,
// its shares and prices the safe integers the columns hold (the replies write them alike).

import type { Amendment, CancelRecord, Fill, OrderStatus } from '../commands.js';
import type { ColumnState } from './column-state.js';

const NO_FILLS: readonly Fill<number>[] = Object.freeze([]);

export function orderStatus(state: ColumnState, slot: number): OrderStatus<number> {
  let fills = NO_FILLS;
  let e = state.firstFill[slot]!;
  if (e !== -1) {
    const next = state.buy[slot] === 1 ? state.nextOfBuy : state.nextOfSell;
    const list: Fill<number>[] = [];
    while (e !== -1) {
      list.push({
        shares: state.execShares[e]!,
        price: state.execPrice[e]!,
        time: state.execTime[e]!,
      });
      e = next[e]!;
    }
    fills = list;
  }
  const canceled: CancelRecord<number> | null =
    state.canceled[slot] === 1
      ? { shares: state.canceledShares[slot]!, time: state.canceledTime[slot]! }
      : null;
  const status: { -readonly [K in keyof OrderStatus<number>]: OrderStatus<number>[K] } = {
    open: state.open[slot]!,
    canceled,
    fills,
  };
  if (state.isWaiting(slot)) status.stop = state.terms(slot).stop!;
  const amendments = state.amendmentsOf.size === 0 ? undefined : state.amendmentsOf.get(slot);
  if (amendments !== undefined) status.amendments = amendments.map(bigAmendment);
  return status;
}

/** An amend as a status reports it (its amounts bigints, as the classic engine's). */
export function bigAmendment(a: { open: number; limit: number; time: number }): Amendment {
  return { open: BigInt(a.open), limit: BigInt(a.limit), time: a.time };
}
