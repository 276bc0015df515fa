// The benchmark report as a list of blocks, rendered twice: Markdown (for the repository)
// and a self-contained HTML page (for a browser, and for headless Chromium to print as PDF).

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Block =
  | { readonly kind: 'h1' | 'h2' | 'p'; readonly text: string }
  | { readonly kind: 'list'; readonly items: readonly string[] }
  | {
      readonly kind: 'table';
      readonly head: readonly string[];
      readonly rows: readonly (readonly string[])[];
    }
  | { readonly kind: 'image'; readonly file: string; readonly alt: string };

export function toMarkdown(blocks: readonly Block[]): string {
  const out: string[] = [];
  for (const b of blocks) {
    switch (b.kind) {
      case 'h1':
        out.push(`# ${b.text}`);
        break;
      case 'h2':
        out.push(`## ${b.text}`);
        break;
      case 'p':
        out.push(b.text);
        break;
      case 'list':
        out.push(b.items.map((i) => `- ${i}`).join('\n'));
        break;
      case 'table': {
        const cell = (s: string): string => s.replace(/\|/g, '\\|');
        out.push(
          [
            `| ${b.head.map(cell).join(' | ')} |`,
            `| ${b.head.map(() => '---').join(' | ')} |`,
            ...b.rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
          ].join('\n'),
        );
        break;
      }
      case 'image':
        out.push(`![${b.alt}](${b.file})`);
        break;
    }
  }
  return out.join('\n\n') + '\n';
}

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** The little Markdown the report's text uses: **bold** and `code`. */
const inline = (s: string): string =>
  esc(s)
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/`([^`]+)`/g, '<code>$1</code>');

/** HTML with the SVG plots inlined from `dir`, so the page stands alone. */
export function toHtml(blocks: readonly Block[], dir: string): string {
  const body = blocks.map((b) => {
    switch (b.kind) {
      case 'h1':
      case 'h2':
        return `<${b.kind}>${inline(b.text)}</${b.kind}>`;
      case 'p':
        return `<p>${inline(b.text)}</p>`;
      case 'list':
        return `<ul>${b.items.map((i) => `<li>${inline(i)}</li>`).join('')}</ul>`;
      case 'table':
        return (
          `<table><thead><tr>${b.head.map((h) => `<th>${inline(h)}</th>`).join('')}</tr></thead><tbody>` +
          b.rows.map((r) => `<tr>${r.map((c) => `<td>${inline(c)}</td>`).join('')}</tr>`).join('') +
          '</tbody></table>'
        );
      case 'image':
        return `<figure>${readFileSync(join(dir, b.file), 'utf8')}</figure>`;
    }
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>exchange-matching benchmark report</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; max-width: 60em; margin: 2em auto; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; font-size: 12px; }
th, td { border: 1px solid #ccc; padding: 3px 6px; text-align: left; }
th { background: #f3f3f3; }
code { font-size: 12px; background: #f5f5f5; padding: 0 2px; }
figure { margin: 1em 0; break-inside: avoid; }
h2 { margin-top: 1.6em; break-after: avoid; }
</style></head><body>
${body.join('\n')}
</body></html>
`;
}

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** Prints the HTML page to PDF with headless Chromium; false when none is installed. */
export function printPdf(htmlFile: string, pdfFile: string): boolean {
  const browser = CHROMIUM.find((path) => existsSync(path));
  if (browser === undefined) return false;
  execFileSync(
    browser,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--no-pdf-header-footer',
      `--print-to-pdf=${pdfFile}`,
      `file://${htmlFile}`,
    ],
    { stdio: 'ignore', timeout: 120_000 },
  );
  return existsSync(pdfFile);
}
