// The depth chart: cumulative shares by price, bids (best and rightmost first) and asks, as
// stepped areas. Prices are parsed with Number() for plotting only; the legend shows the
// original price strings.
import uPlot from 'uplot';
import type { BookView } from '../../src/http/api-types.js';
import { fitToHost, hostSize } from './chart-size.js';
import { fmtPlotted } from './format.js';
import type { Renderable } from './scheduler.js';

const stepped = uPlot.paths.stepped;

interface Point {
  readonly x: number;
  readonly cum: number;
}

/** Cumulative shares from the best level outwards. */
function cumulate(levels: BookView['bids']): Point[] {
  let cum = 0;
  return levels.map((level) => ({ x: Number(level.price), cum: (cum += Number(level.shares)) }));
}

export class DepthChart implements Renderable {
  private book: BookView | null = null;
  private labels: string[] = [];
  private readonly plot: uPlot;

  constructor(host: HTMLElement) {
    const opts: uPlot.Options = {
      ...hostSize(host),
      scales: {
        x: { time: false },
        y: { range: (_u, _min, max) => [0, Number.isFinite(max) && max > 0 ? max * 1.08 : 1] },
      },
      series: [
        {
          label: 'price',
          value: (_u, _v, _s, idx) => (idx === null ? '—' : (this.labels[idx] ?? '—')),
        },
        {
          label: 'bids',
          stroke: '#15803d',
          fill: 'rgba(22, 163, 74, 0.16)',
          width: 1.5,
          points: { show: false },
          value: (_u, v) => fmtPlotted(v),
          ...(stepped ? { paths: stepped({ align: -1 }) } : {}),
        },
        {
          label: 'asks',
          stroke: '#b91c1c',
          fill: 'rgba(220, 38, 38, 0.14)',
          width: 1.5,
          points: { show: false },
          value: (_u, v) => fmtPlotted(v),
          ...(stepped ? { paths: stepped({ align: 1 }) } : {}),
        },
      ],
      axes: [{ space: 70 }, { size: 56 }],
      cursor: { drag: { x: false, y: false } },
      legend: { show: true },
    };
    this.plot = new uPlot(opts, [[], [], []], host);
    fitToHost(this.plot, host);
  }

  setBook(book: BookView | null): void {
    this.book = book;
  }

  render(): void {
    const book = this.book;
    if (!book) {
      this.labels = [];
      this.plot.setData([[], [], []]);
      return;
    }
    const bids = cumulate(book.bids); // price descending
    const asks = cumulate(book.asks); // price ascending

    // One shared, ascending x axis: every price on either side.
    const labelOf = new Map<number, string>();
    for (const level of book.bids) labelOf.set(Number(level.price), level.price);
    for (const level of book.asks) labelOf.set(Number(level.price), level.price);
    const xs = Array.from(labelOf.keys()).sort((a, b) => a - b);

    // Bid depth at x: shares bid at x or higher; none below the lowest level we were sent.
    const bidY: (number | null)[] = new Array<number | null>(xs.length).fill(null);
    let j = 0;
    for (let i = xs.length - 1; i >= 0; i--) {
      const x = xs[i] as number;
      while (j < bids.length && (bids[j] as Point).x >= x) j++;
      const lowest = bids[bids.length - 1];
      bidY[i] = j > 0 && lowest !== undefined && x >= lowest.x ? (bids[j - 1] as Point).cum : null;
    }
    // Ask depth at x: shares offered at x or lower; none above the highest level we were sent.
    const askY: (number | null)[] = new Array<number | null>(xs.length).fill(null);
    j = 0;
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i] as number;
      while (j < asks.length && (asks[j] as Point).x <= x) j++;
      const highest = asks[asks.length - 1];
      askY[i] =
        j > 0 && highest !== undefined && x <= highest.x ? (asks[j - 1] as Point).cum : null;
    }
    this.labels = xs.map((x) => labelOf.get(x) ?? String(x));
    this.plot.setData([xs, bidY, askY]);
  }
}
