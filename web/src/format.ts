// Formatting for figures that arrive as numbers (times, counts, milliseconds). Prices, shares
// and money arrive as decimal strings and are shown as they are.

const pad = (n: number): string => String(n).padStart(2, '0');

/** Seconds since the epoch → local HH:MM:SS. */
export function fmtClock(seconds: number): string {
  const d = new Date(seconds * 1000);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Seconds since the epoch → local YYYY-MM-DD HH:MM:SS. */
export function fmtDateTime(seconds: number): string {
  const d = new Date(seconds * 1000);
  const date = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  return `${date} ${fmtClock(seconds)}`;
}

export function fmtMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '—';
  if (ms < 1) return ms.toFixed(3);
  if (ms < 10) return ms.toFixed(2);
  if (ms < 100) return ms.toFixed(1);
  return ms.toFixed(0);
}

export function fmtCount(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—';
}

export function fmtDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.floor(seconds);
  const d = Math.floor(s / 86400);
  const hh = Math.floor((s % 86400) / 3600);
  const mm = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${hh}h ${mm}m`;
  if (hh > 0) return `${hh}h ${mm}m`;
  return `${mm}m ${s % 60}s`;
}

/** A plotted (float) figure for a chart legend, without binary-float noise. */
export function fmtPlotted(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return String(Number(v.toPrecision(12)));
}

/** For narrow tables (a title carries the full date): HH:MM:SS today, else MM-DD HH:MM. */
export function fmtShortDateTime(seconds: number): string {
  const d = new Date(seconds * 1000);
  if (d.toDateString() === new Date().toDateString()) return fmtClock(seconds);
  return `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${fmtClock(seconds).slice(0, 5)}`;
}

/** A time-axis tick: HH:MM on whole minutes, else HH:MM:SS. */
export function axisClock(seconds: number): string {
  const clock = fmtClock(seconds);
  return seconds % 60 === 0 ? clock.slice(0, 5) : clock;
}

/** A value-axis tick: 1.5k, 2M. */
export function axisNumber(v: number): string {
  const abs = Math.abs(v);
  if (abs >= 1e6) return `${Number((v / 1e6).toFixed(1))}M`;
  if (abs >= 1e3) return `${Number((v / 1e3).toFixed(1))}k`;
  return String(Number(v.toPrecision(6)));
}
