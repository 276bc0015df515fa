// Keeps a uPlot chart filling its host element (the legend included).
import type uPlot from 'uplot';

export function fitToHost(plot: uPlot, host: HTMLElement): void {
  const fit = (): void => {
    const legend = host.querySelector<HTMLElement>('.u-legend');
    const width = Math.floor(host.clientWidth);
    const height = Math.max(60, Math.floor(host.clientHeight - (legend?.offsetHeight ?? 0)));
    if (width > 0 && (plot.width !== width || plot.height !== height)) {
      plot.setSize({ width, height });
    }
  };
  new ResizeObserver(fit).observe(host);
  fit();
}

/** The host's size now, for a chart's first draw. */
export function hostSize(host: HTMLElement): { width: number; height: number } {
  return {
    width: Math.max(100, Math.floor(host.clientWidth)),
    height: Math.max(60, Math.floor(host.clientHeight) - 30),
  };
}
