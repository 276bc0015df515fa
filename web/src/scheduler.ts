// One requestAnimationFrame pass renders whatever changed since the last frame. Messages only
// store data and mark a view dirty; however many arrive, each view renders at most once a frame.

export interface Renderable {
  render(): void;
}

export class FrameScheduler {
  private readonly dirty = new Set<Renderable>();
  private requested = false;

  mark(view: Renderable): void {
    this.dirty.add(view);
    if (!this.requested) {
      this.requested = true;
      requestAnimationFrame(this.flush);
    }
  }

  private readonly flush = (): void => {
    this.requested = false;
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
