// A lookup form: one id in, one result area out. A new lookup aborts the previous one; errors
// become a readable line (404: "No such account.", 401: token advice).
import { describeError, isAbort } from './api.js';
import { h } from './dom.js';

export interface LookupOptions<T> {
  readonly form: HTMLFormElement;
  readonly input: HTMLInputElement;
  readonly result: HTMLElement;
  /** What is looked up, for messages: "account", "order". */
  readonly thing: string;
  readonly fetch: (id: string, signal: AbortSignal) => Promise<T>;
  readonly render: (value: T) => Node;
}

/** Wires the form; returns a function that looks an id up as if it had been typed. */
export function bindLookup<T>(options: LookupOptions<T>): (id: string) => void {
  const { form, input, result, thing } = options;
  let current: AbortController | null = null;

  const show = (node: Node, state: string): void => {
    result.dataset.state = state;
    result.replaceChildren(node);
  };

  const lookup = async (id: string): Promise<void> => {
    current?.abort();
    current = null;
    if (!id) {
      show(h('p', { class: 'muted' }, `Enter an ${thing} id.`), 'idle');
      return;
    }
    const controller = new AbortController();
    current = controller;
    show(h('p', { class: 'muted' }, `Loading ${thing} ${id}…`), 'loading');
    try {
      const value = await options.fetch(id, controller.signal);
      if (current === controller) show(options.render(value), 'ok');
    } catch (err) {
      if (isAbort(err) || current !== controller) return;
      show(h('p', { class: 'error', role: 'alert' }, describeError(err, thing)), 'error');
    }
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void lookup(input.value.trim());
  });
  return (id: string) => {
    input.value = id;
    void lookup(id.trim());
  };
}
