// Market data on the column engine: the classic engine's book events (book-events.ts), value
// for value and in the same order, kept from the first book-feed subscriber on.
//
// The matching path records nothing for them: an order entering its book is noted before it
// enters, and its `matched` events (from the batch's executions, `batchExecs`) and its
// `opened` event (if it came to rest) are made when the next order enters, another event
// comes (a cancel, an amend) or the batch ends. Until then nothing else changes that book,
// so each of those events' sequence numbers is counted back from the book's. (A call in
// `execute`, or one more in `enter`, made them too large for V8 to inline as before: 1.5-3%
// more instructions a command on the mixed flow, recording or not.)

import type { BookEvent, BookSide } from '../book-events.js';
import type { ColumnState } from './column-state.js';

const sideOf = (state: ColumnState, slot: number): BookSide =>
  state.buy[slot] === 1 ? 'buy' : 'sell';

export class ColumnEventLog {
  private events: BookEvent[] = [];
  /** The order that entered its book last (0: none yet), when, and its first priority then. */
  private entering = 0;
  private enteredAt = 0;
  private firstPriority = Infinity;
  /** Whether its `opened` event is made. */
  private openedMade = false;
  /** Executions of the batch (`batchExecs`) before this one have their events (or came first). */
  private made: number;

  constructor(private readonly state: ColumnState) {
    this.made = state.batchExecs.length;
  }

  /** Order `slot` is about to enter its book at `now` (new, amended to a new limit, triggered). */
  arriving(slot: number, now: number): void {
    this.settle(false);
    this.entering = slot;
    this.enteredAt = now;
    // Resting gives it a priority of its own from the counter: one this high means it rested.
    this.firstPriority = this.state.nextPriority;
    this.openedMade = false;
  }

  /** Waiting stop order `slot` was triggered at `now`, and enters its book next. */
  triggered(slot: number, now: number): void {
    this.bookChange(slot);
    const state = this.state;
    const sym = state.sym[slot]!;
    this.events.push({
      type: 'triggered',
      sym: state.symbolNames[sym]!,
      seq: state.seq[sym]!,
      time: now,
      orderId: state.orderId[slot]!,
      side: sideOf(state, slot),
      stop: state.stopPrice[slot]!,
    });
    this.arriving(slot, now);
  }

  /** Resting order `slot` leaves its book, canceled (its open shares not yet taken off). */
  canceled(slot: number, now: number): void {
    this.bookChange(slot);
    this.events.push(this.orderEvent('canceled', slot, now));
  }

  /** Resting order `slot` was amended to its open shares and limit now. */
  amended(slot: number, requeued: boolean, now: number): void {
    this.bookChange(slot);
    const state = this.state;
    const sym = state.sym[slot]!;
    this.events.push({
      type: 'amended',
      sym: state.symbolNames[sym]!,
      seq: state.seq[sym]!,
      time: now,
      orderId: state.orderId[slot]!,
      side: sideOf(state, slot),
      price: state.limit[slot]!,
      shares: state.open[slot]!,
      requeued,
    });
  }

  /** The events of the last order to enter, before a change of order `slot`'s book. */
  private bookChange(slot: number): void {
    this.settle(this.state.sym[slot] === this.state.sym[this.entering]);
  }

  /**
   * Makes the events of the last order to enter that are not made yet: its executions since
   * the last ones made, then its `opened` if it rested. All are in its book, whose sequence
   * number has moved on once more since (for the change being recorded) if `oneMore`.
   */
  settle(oneMore: boolean): void {
    const state = this.state;
    const execs = state.batchExecs;
    const incoming = this.entering;
    const rested = !this.openedMade && state.priority[incoming]! >= this.firstPriority;
    const count = execs.length - this.made + (rested ? 1 : 0);
    if (count === 0) return;
    const sym = state.sym[incoming]!;
    const incomingId = state.orderId[incoming]!;
    const incomingBuys = state.buy[incoming] === 1;
    let seq = state.seq[sym]! - (oneMore ? 1 : 0) - count + 1;
    for (let i = this.made; i < execs.length; i++) {
      const e = execs[i]!;
      this.events.push({
        type: 'matched',
        sym: state.symbolNames[sym]!,
        seq: seq++,
        time: state.execTime[e]!,
        restingId: incomingBuys ? state.execSell[e]! : state.execBuy[e]!,
        incomingId,
        side: incomingBuys ? 'sell' : 'buy',
        price: state.execPrice[e]!,
        shares: state.execShares[e]!,
      });
    }
    this.made = execs.length;
    if (rested) {
      this.events.push(this.orderEvent('opened', incoming, this.enteredAt, seq));
      this.openedMade = true;
    }
  }

  /** Order `slot` at its limit with its open shares: its book's change number `seq`. */
  private orderEvent(
    type: 'opened' | 'canceled',
    slot: number,
    now: number,
    seq = this.state.seq[this.state.sym[slot]!]!,
  ): BookEvent {
    const state = this.state;
    return {
      type,
      sym: state.symbolNames[state.sym[slot]!]!,
      seq,
      time: now,
      orderId: state.orderId[slot]!,
      side: sideOf(state, slot),
      price: state.limit[slot]!,
      shares: state.open[slot]!,
    };
  }

  /** Before the batch's executions are taken: their events are made, and it starts anew. */
  endBatch(): void {
    this.settle(false);
    this.made = 0;
  }

  /** The events since the last call, in the order they happened. */
  take(): BookEvent[] {
    this.settle(false);
    const events = this.events;
    this.events = [];
    return events;
  }
}
