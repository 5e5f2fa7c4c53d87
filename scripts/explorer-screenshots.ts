/**
 * The README's pictures of the explorer: docs/explorer-grid.png (the verdict
 * grid of every registered run) and docs/explorer-trace.png (a cell's trace at
 * a step, with the state, the chart and the swimlanes), taken in Debian's
 * chromium (/usr/bin/chromium) through playwright-core.
 *
 *   npx tsx scripts/explorer-screenshots.ts [PAGE.html]
 *
 * Without a page, it first writes the page of every registered run (`npm run
 * explore -- --no-timing`, a few minutes).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { main } from '../src/cli-explore.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const CELL = 'dialog/bye-vs-timeout-B/fast-lock/sc/orig';

const work = mkdtempSync(join(tmpdir(), 'explorer-shots-'));
try {
  let page = process.argv[2] === undefined ? undefined : resolve(process.argv[2]);
  if (page === undefined) {
    page = join(work, 'explorer.html');
    const code = await main(['--no-timing', '--out', page]);
    if (code !== 0) throw new Error(`explore exited ${code}`);
  }
  const context = await chromium.launchPersistentContext(join(work, 'profile'), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: FLAGS,
    viewport: { width: 1400, height: 900 },
  });
  const tab = await context.newPage();
  await tab.goto(pathToFileURL(page).href);
  await tab.waitForSelector('#grid');
  await tab.screenshot({ path: join(root, 'docs/explorer-grid.png'), clip: { x: 0, y: 0, width: 1400, height: 640 } });
  await tab.goto(`${pathToFileURL(page).href}#run=${encodeURIComponent(CELL)}&prop=NoByeAfterDelete&step=9`);
  await tab.waitForSelector('#trace');
  await tab.$eval('#trace', (el) => el.scrollIntoView());
  await tab.waitForTimeout(500);
  await tab.screenshot({ path: join(root, 'docs/explorer-trace.png') });
  await context.close();
  process.stdout.write('wrote docs/explorer-grid.png and docs/explorer-trace.png\n');
} finally {
  rmSync(work, { recursive: true, force: true });
}
