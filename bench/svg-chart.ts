// A small SVG line chart with error bars, for the benchmark report: no dependency, no
// browser, diffable text.

export interface ChartPoint {
  readonly x: number;
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

export interface ChartSeries {
  readonly name: string;
  readonly points: readonly ChartPoint[];
  /** Dashed: a reference, such as a transport floor. */
  readonly dashed?: boolean;
}

export interface Chart {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly ChartSeries[];
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
const W = 640;
const H = 400;
const M = { left: 80, right: 180, top: 40, bottom: 50 };

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A round upper bound for the y axis, and its tick step. */
function niceScale(max: number): { top: number; step: number } {
  const raw = max / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw || 1));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  return { top: Math.ceil(max / step) * step || step, step };
}

export function renderChart(chart: Chart): string {
  const xs = [...new Set(chart.series.flatMap((s) => s.points.map((p) => p.x)))].sort(
    (a, b) => a - b,
  );
  const { top, step } = niceScale(
    Math.max(...chart.series.flatMap((s) => s.points.map((p) => p.max))),
  );
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const round = (v: number): number => Math.round(v * 10) / 10;
  const xAt = (x: number): number =>
    round(M.left + (xs.length === 1 ? plotW / 2 : (xs.indexOf(x) / (xs.length - 1)) * plotW));
  const yAt = (y: number): number => round(M.top + plotH - (y / top) * plotH);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${esc(chart.title)}</text>`,
  ];
  for (let y = 0; y <= top + 1e-9; y += step) {
    out.push(
      `<line x1="${M.left}" x2="${M.left + plotW}" y1="${yAt(y)}" y2="${yAt(y)}" stroke="#ddd"/>`,
      `<text x="${M.left - 6}" y="${yAt(y) + 4}" text-anchor="end">${Math.round(y).toLocaleString('en-US')}</text>`,
    );
  }
  for (const x of xs) {
    out.push(`<text x="${xAt(x)}" y="${M.top + plotH + 18}" text-anchor="middle">${x}</text>`);
  }
  out.push(
    `<text x="${M.left + plotW / 2}" y="${H - 10}" text-anchor="middle">${esc(chart.xLabel)}</text>`,
    `<text transform="translate(18 ${M.top + plotH / 2}) rotate(-90)" text-anchor="middle">${esc(chart.yLabel)}</text>`,
  );
  chart.series.forEach((series, i) => {
    const color = COLORS[i % COLORS.length]!;
    const dash = series.dashed === true ? ' stroke-dasharray="6 4"' : '';
    const path = series.points.map((p) => `${xAt(p.x)},${yAt(p.median)}`).join(' ');
    out.push(`<polyline points="${path}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`);
    for (const p of series.points) {
      const x = xAt(p.x);
      out.push(
        `<line x1="${x}" x2="${x}" y1="${yAt(p.min)}" y2="${yAt(p.max)}" stroke="${color}"/>`,
        `<line x1="${x - 5}" x2="${x + 5}" y1="${yAt(p.min)}" y2="${yAt(p.min)}" stroke="${color}"/>`,
        `<line x1="${x - 5}" x2="${x + 5}" y1="${yAt(p.max)}" y2="${yAt(p.max)}" stroke="${color}"/>`,
        `<circle cx="${x}" cy="${yAt(p.median)}" r="3" fill="${color}"/>`,
      );
    }
    const ly = M.top + 10 + i * 18;
    out.push(
      `<line x1="${W - M.right + 12}" x2="${W - M.right + 36}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"${dash}/>`,
      `<text x="${W - M.right + 42}" y="${ly + 4}">${esc(series.name)}</text>`,
    );
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
