/**
 * The explorer page: its code (explorer/, TypeScript and Preact) bundled by
 * vite into one script and one style sheet, written inline into one HTML file
 * with the data (data.ts) as JSON. Nothing is fetched when the page is viewed.
 */
import { fileURLToPath } from 'node:url';
import type { ExplorerData } from './data.js';

export const PAGE_ROOT = fileURLToPath(new URL('../../explorer/', import.meta.url));

export interface PageBundle {
  readonly js: string;
  readonly css: string;
}

let bundled: Promise<PageBundle> | undefined;

/** The page's code, bundled once per process (a production build: minified, no source maps). */
export function bundlePage(): Promise<PageBundle> {
  bundled ??= build();
  return bundled;
}

async function build(): Promise<PageBundle> {
  const { build: viteBuild } = await import('vite');
  const out = await viteBuild({
    configFile: false,
    root: PAGE_ROOT,
    logLevel: 'silent',
    mode: 'production',
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
    build: {
      write: false,
      minify: true,
      sourcemap: false,
      cssCodeSplit: false,
      emptyOutDir: false,
      reportCompressedSize: false,
      lib: { entry: 'main.tsx', formats: ['iife'], name: 'explorer', fileName: () => 'explorer.js', cssFileName: 'explorer' },
    },
  });
  const outputs = (Array.isArray(out) ? out : [out]).flatMap((o) => ('output' in o ? o.output : []));
  const js = outputs.filter((o) => o.type === 'chunk').map((o) => (o as { code: string }).code);
  const css = outputs.filter((o) => o.type === 'asset' && o.fileName.endsWith('.css')).map((o) => String((o as { source: string | Uint8Array }).source instanceof Uint8Array ? new TextDecoder().decode((o as { source: Uint8Array }).source) : (o as { source: string }).source));
  if (js.length !== 1) throw new Error(`explorer bundle: expected one script, got ${js.length}`);
  return { js: js[0], css: css.join('\n') };
}

/** Text inside a <script> element must not close it. */
const inScript = (s: string): string => s.replace(/<\/(script)/gi, '<\\/$1');

/** The data as JSON that can sit inside a <script type="application/json"> element. */
export const dataJson = (data: ExplorerData): string =>
  JSON.stringify(data).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The page: one file, its script, style and data inline. */
export function pageHtml(bundle: PageBundle, data: ExplorerData): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // Nothing may be loaded from elsewhere: everything is inline.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'none'">`,
    `<title>${escapeHtml(data.title)}${data.selection ? ` (${escapeHtml(data.selection)})` : ''}</title>`,
    `<style>${bundle.css.replace(/<\/(style)/gi, '<\\/$1')}</style>`,
    '</head>',
    '<body>',
    '<div id="app"></div>',
    `<script id="explorer-data" type="application/json">${dataJson(data)}</script>`,
    `<script>${inScript(bundle.js)}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
