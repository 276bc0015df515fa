// The symbol selector: the list from GET /api/symbols, refreshed every 5 s, and when asked
// because the live book moved (at most once in 5 s: a request a second cost Chromium 1% of a
// core under load, bench/dashboard-cost.ts), so the summaries it carries (open orders, shares
// granted) keep up. The first symbol is chosen unless the page URL names
// one (?symbol=SYM); the choice is kept in the URL.
import type { SymbolSummary } from '../../src/http/api-types.js';
import { api, describeError } from './api.js';
import { h } from './dom.js';

const REFRESH_MS = 5000;
/** The least time between two requests that refreshSoon() starts. */
const SOON_MS = 5000;

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export class SymbolSelector {
  private symbols: readonly SymbolSummary[] = [];
  private selected: string | null = null;
  private loading = false;
  /** A refresh was asked for while one was in flight: its answer may predate the change. */
  private again = false;
  private lastStart = -Infinity;
  private soonTimer: number | undefined;

  constructor(
    private readonly select: HTMLSelectElement,
    private readonly onSelect: (symbol: string) => void,
    private readonly onError: (message: string | null) => void,
    private readonly onList: (symbols: readonly SymbolSummary[]) => void,
  ) {
    select.addEventListener('change', () => {
      if (select.value) this.choose(select.value);
    });
  }

  start(initial: string | null): void {
    if (initial) this.choose(initial);
    else this.renderOptions();
    void this.refresh();
    window.setInterval(() => void this.refresh(), REFRESH_MS);
  }

  /**
   * Refreshes soon: now if the last request started SOON_MS ago or more, else once that time
   * is up. Calls in between cost nothing, so each live book may ask.
   */
  refreshSoon(): void {
    if (this.soonTimer !== undefined) return;
    if (this.loading) {
      this.again = true;
      return;
    }
    const wait = Math.max(0, this.lastStart + SOON_MS - performance.now());
    this.soonTimer = window.setTimeout(() => {
      this.soonTimer = undefined;
      void this.refresh();
    }, wait);
  }

  private async refresh(): Promise<void> {
    if (this.loading) return;
    this.loading = true;
    this.lastStart = performance.now();
    try {
      this.symbols = (await api.symbols()).symbols;
      this.onError(null);
      this.onList(this.symbols);
      const first = this.symbols[0];
      if (this.selected === null && first) this.choose(first.symbol);
      else this.renderOptions();
    } catch (err) {
      this.onError(`Symbols: ${describeError(err, 'symbol')}`);
    } finally {
      this.loading = false;
      if (this.again) {
        this.again = false;
        this.refreshSoon();
      }
    }
  }

  private choose(symbol: string): void {
    if (symbol === this.selected) return;
    this.selected = symbol;
    this.renderOptions();
    const url = new URL(location.href);
    url.searchParams.set('symbol', symbol);
    history.replaceState(history.state, '', url);
    this.onSelect(symbol);
  }

  private renderOptions(): void {
    const names = this.symbols.map((s) => s.symbol);
    // A symbol from the URL that the server does not list (yet) stays selectable.
    if (this.selected !== null && !names.includes(this.selected)) names.unshift(this.selected);
    const shown = Array.from(this.select.options, (o) => o.value);
    if (names.length === 0) {
      if (!sameList(shown, [''])) {
        this.select.replaceChildren(h('option', { value: '', disabled: true }, 'no symbols yet'));
      }
    } else if (!sameList(names, shown)) {
      this.select.replaceChildren(...names.map((name) => h('option', { value: name }, name)));
    }
    this.select.value = this.selected ?? '';
  }
}
