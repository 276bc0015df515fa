// The symbol selector: the list from GET /api/symbols, refreshed every 5 s. The first symbol
// is chosen unless the page URL names one (?symbol=SYM); the choice is kept in the URL.
import type { SymbolSummary } from '../../src/http/api-types.js';
import { api, describeError } from './api.js';
import { h, setText } from './dom.js';

const REFRESH_MS = 5000;

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export class SymbolSelector {
  private symbols: readonly SymbolSummary[] = [];
  private selected: string | null = null;
  private loading = false;

  constructor(
    private readonly select: HTMLSelectElement,
    private readonly summary: HTMLElement,
    private readonly onSelect: (symbol: string) => void,
    private readonly onError: (message: string | null) => void,
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

  private async refresh(): Promise<void> {
    if (this.loading) return;
    this.loading = true;
    try {
      this.symbols = (await api.symbols()).symbols;
      this.onError(null);
      const first = this.symbols[0];
      if (this.selected === null && first) this.choose(first.symbol);
      else this.renderOptions();
    } catch (err) {
      this.onError(`Symbols: ${describeError(err, 'symbol')}`);
    } finally {
      this.loading = false;
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
    this.renderSummary();
  }

  private renderSummary(): void {
    const s = this.symbols.find((x) => x.symbol === this.selected);
    setText(
      this.summary,
      s
        ? `bid ${s.bestBid ?? '—'} · ask ${s.bestAsk ?? '—'} · last ${s.lastPrice ?? '—'} · ` +
            `${s.openOrders} open orders · ${s.granted} granted`
        : '',
    );
  }
}
