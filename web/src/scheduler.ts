// Messages only store data and mark a view dirty; one requestAnimationFrame pass renders
// whatever changed. Live updates are also paced: at most one such frame every FRAME_MS, so
// the book, the trades, the stats and the symbol list that arrive within it share a frame.
// In headless Chromium without a GPU each frame costs a fixed ~20 ms of compositing on the
// benchmark machine, whatever changed, so frames, not DOM work, are what a busy market costs
// (bench/dashboard-cost.ts). What the user does (`markNow`) is drawn in the next frame.

export interface Renderable {
  render(): void;
}

/** Live views are redrawn at most this often. */
export const FRAME_MS = 500;

export class FrameScheduler {
  private readonly dirty = new Set<Renderable>();
  private requested = false;
  private timer: number | null = null;
  private lastFrame = 0;

  /** A live update: drawn in the next paced frame. */
  mark(view: Renderable): void {
    this.dirty.add(view);
    if (this.requested || this.timer !== null) return;
    const wait = this.lastFrame + FRAME_MS - performance.now();
    if (wait <= 0) this.request();
    else
      this.timer = window.setTimeout(() => {
        this.timer = null;
        this.request();
      }, wait);
  }

  /** A change the user asked for: drawn in the very next frame. */
  markNow(view: Renderable): void {
    this.dirty.add(view);
    if (this.timer !== null) {
      window.clearTimeout(this.timer);
      this.timer = null;
    }
    this.request();
  }

  private request(): void {
    if (this.requested) return;
    this.requested = true;
    requestAnimationFrame(this.flush);
  }

  private readonly flush = (): void => {
    this.requested = false;
    this.lastFrame = performance.now();
    const views = Array.from(this.dirty);
    this.dirty.clear();
    for (const view of views) {
      try {
        view.render();
      } catch (err) {
        console.error('render failed', err);
      }
    }
  };
}
