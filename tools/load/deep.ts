// The "deep" scenario: first a book of `depth` resting orders (bids below the mid price,
// asks above it, none crossing), placed many per request; then the mixed flow, measured,
// against that book.

import { MixedFlow, mixedWorkload } from './mixed-flow.js';
import type { Workload } from './workload.js';

/** Resting orders per setup request. */
const ORDERS_PER_REQUEST = 500;

export function deepWorkload(flow: MixedFlow, depth: number): Workload {
  const mixed = mixedWorkload(flow);
  return {
    *setup() {
      yield* mixed.setup();
      const accounts = flow.accountIds;
      for (let placed = 0, n = 0; placed < depth; n++) {
        const account = accounts[n % accounts.length]!;
        let xml = `<transactions id="${account}">`;
        for (let i = 0; i < ORDERS_PER_REQUEST && placed < depth; i++, placed++) {
          const sym = flow.symbols[placed % flow.symbols.length]!;
          const isBuy = placed % 2 === 0;
          // Bids at 20-89, asks at 111-180: the mixed flow trades at 90-110, in front of the
          // book, which stays as deep as it was built.
          const level = 20 + (Math.floor(placed / 2) % 70);
          const limit = isBuy ? level : 200 - level;
          xml += `<order sym="${sym}" amount="${isBuy ? 1 : -1}" limit="${limit}"/>`;
        }
        yield xml + '</transactions>';
      }
    },
    nextSession: () => mixed.nextSession(),
  };
}
