// An order of the column engine as its replies report it: the classic engine's OrderStatus,
// its values made bigints.

import type { CancelRecord, Fill, OrderStatus } from '../commands.js';
import type { ColumnState } from './column-state.js';

const NO_FILLS: readonly Fill[] = Object.freeze([]);

export function orderStatus(state: ColumnState, slot: number): OrderStatus {
  let fills = NO_FILLS;
  let e = state.firstFill[slot]!;
  if (e !== -1) {
    const next = state.buy[slot] === 1 ? state.nextOfBuy : state.nextOfSell;
    const list: Fill[] = [];
    while (e !== -1) {
      const shares = BigInt(state.execShares[e]!);
      list.push({ shares, price: BigInt(state.execPrice[e]!), time: state.execTime[e]! });
      e = next[e]!;
    }
    fills = list;
  }
  const canceled: CancelRecord | null =
    state.canceled[slot] === 1
      ? { shares: BigInt(state.canceledShares[slot]!), time: state.canceledTime[slot]! }
      : null;
  return { open: BigInt(state.open[slot]!), canceled, fills };
}
