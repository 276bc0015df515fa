// Tiny DOM helpers. Data only ever reaches the page as text nodes or attribute values, never
// as HTML.

type AttrValue = string | number | boolean | null | undefined;

/** Creates an element; string children become text nodes. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Readonly<Record<string, AttrValue>> | null = null,
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [name, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  el.append(...children);
  return el;
}

/** The element with this id, checked to be of the expected kind. */
export function byId<T extends HTMLElement>(id: string, kind: { new (): T; prototype: T }): T {
  const el = document.getElementById(id);
  if (!(el instanceof kind)) throw new Error(`#${id} is missing or not a ${kind.name}`);
  return el;
}

/** Sets text only when it differs, so unchanged figures cost no DOM work. */
export function setText(el: Node, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

/** A small table: headers (a trailing `#` in a label marks a numeric column) and rows. */
export function dataTable(
  attrs: Readonly<Record<string, AttrValue>>,
  headers: readonly string[],
  rows: readonly HTMLTableRowElement[],
): HTMLTableElement {
  const head = h(
    'tr',
    null,
    ...headers.map((label) =>
      label.endsWith('#') ? h('th', { class: 'num' }, label.slice(0, -1)) : h('th', null, label),
    ),
  );
  return h('table', attrs, h('thead', null, head), h('tbody', null, ...rows));
}

/** A term/value pair for a `<dl>`; the value gets `id` when given. */
export function field(term: string, value: string, id?: string): HTMLDivElement {
  return h('div', null, h('dt', null, term), h('dd', { id }, value));
}
