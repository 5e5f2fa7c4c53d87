/**
 * The explorer page in a real browser: Debian's chromium (/usr/bin/chromium,
 * installed by .ci/run) driven by playwright-core. The pages are written by
 * `explore` itself; what they show is compared with what the check computes
 * for the same runs (the trace it prints, chosen by src/check/shortest.ts).
 * Screenshots go to out/test-output/explorer/ (TEST_OUTPUT_DIR to change it).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli-explore.js';
import { defaultRegistry, MODELS, adHocRun, parseFilter, selectRuns } from '../src/check/registry.js';
import { execute, type RunResult } from '../src/check/run.js';
import { chooseTraces, type ChosenTrace } from '../src/check/shortest.js';
import { partsOf } from '../src/format/lanes.js';
import { actorSwitches } from '../src/graph/state-graph.js';
import { VARIANT_NAMES } from '../spec/dialog/variants.js';
import { formatChange, traceLines } from '../src/format/text.js';
import { citation } from '../src/explore/citations.js';
import type { ExplorerData } from '../src/explore/data.js';
import { fakeRegistry } from './helpers/explorer-fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const OUTPUT = resolve(process.env.TEST_OUTPUT_DIR ?? 'out/test-output/explorer');

const work = mkdtempSync(join(tmpdir(), 'explorer-browser-'));
let context: BrowserContext;

async function writePage(name: string, argv: string[], registry = defaultRegistry()): Promise<string> {
  const file = join(work, `${name}.html`);
  let err = '';
  const code = await main([...argv, '--jobs', '1', '--no-timing', '--out', file], { stdout: () => {}, stderr: { write: (t: string) => (err += t) } }, registry);
  if (code !== 0) throw new Error(`explore ${argv.join(' ')} exited ${code}: ${err}`);
  return file;
}

const pageData = (file: string): ExplorerData => {
  const html = readFileSync(file, 'utf8');
  const start = html.indexOf('<script id="explorer-data" type="application/json">') + '<script id="explorer-data" type="application/json">'.length;
  return JSON.parse(html.slice(start, html.indexOf('</script>', start)));
};

async function open(file: string, fragment = ''): Promise<Page> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  (page as Page & { errors: string[] }).errors = errors;
  await page.goto(pathToFileURL(file).href + fragment);
  await page.waitForSelector('.page');
  return page;
}

const errorsOf = (page: Page) => (page as Page & { errors: string[] }).errors;

/** The check's own data for a run: its result and the traces it prints, chosen among the shortest. */
function checkData(id: string): { result: RunResult; chosen: ChosenTrace[] } {
  const registry = defaultRegistry();
  const run = selectRuns(registry.runs, parseFilter(registry.runs, [['id', id]]))[0];
  const result = execute(run);
  const requests = result.outcome.violations.filter((v) => v.trace).map((v) => ({ property: v.name, length: v.trace!.length - 1 }));
  return { result, chosen: chooseTraces(run, requests, undefined, true) };
}

/** The top-level field a change path is under, given the state's fields (some have dots: "pc.W"). */
const rootOf = (path: string, fields: string[]) =>
  fields.filter((f) => path === f || path.startsWith(`${f}.`) || path.startsWith(`${f}[`)).sort((a, b) => b.length - a.length)[0] ?? path;

/** What the page shows of the current step. */
async function shownStep(page: Page) {
  return page.evaluate(() => {
    const info = document.getElementById('step-info')!;
    return {
      position: document.getElementById('position')!.textContent,
      step: Number(info.dataset.step),
      actor: info.dataset.actor || null,
      stepId: info.dataset.stepId || null,
      changes: [...document.querySelectorAll('#step-changes li.change')].map((li) => li.textContent),
      changedFields: [...document.querySelectorAll('#state tr.changed')].map((tr) => (tr as HTMLElement).dataset.field),
      cites: [...info.querySelectorAll('h4 .cite')].map((a) => ({ text: a.textContent, href: a.getAttribute('href') })),
      current: [...document.querySelectorAll('#trace .swimlane tr.current')].map((tr) => Number((tr as HTMLElement).dataset.step)),
      hash: location.hash,
    };
  });
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium; .ci/run does)`);
  mkdirSync(OUTPUT, { recursive: true });
  context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'explorer-chromium-')), {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1400, height: 1000 },
  });
});

afterAll(async () => {
  await context?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('a dialog row: the grid, a violated cell, its trace stepped through', () => {
  const ROW = 'dialog/bye-vs-timeout-B/fast-lock/sc';
  const CELL = `${ROW}/orig`;
  let file: string;
  let check: ReturnType<typeof checkData>;
  beforeAll(async () => {
    file = await writePage('dialog', ['--scenario', 'bye-vs-timeout-B', '--env', 'fast-lock/sc']);
    check = checkData(CELL);
  });

  it('shows the grid with the check\'s cells, and opens a violated cell on click', async () => {
    const page = await open(file);
    const grid = await page.evaluate(() => ({
      variants: [...document.querySelectorAll('#grid thead th.variant')].map((th) => th.textContent),
      cells: [...document.querySelectorAll('#grid td.cell')].map((td) => ({ run: (td as HTMLElement).dataset.run, text: td.textContent, title: td.getAttribute('title'), bg: (td as HTMLElement).style.background })),
    }));
    expect(grid.variants).toEqual([...VARIANT_NAMES]);
    const orig = grid.cells.find((c) => c.run === CELL)!;
    expect(orig.text).toBe('bye db2');
    expect(orig.title).toContain(`${check.result.outcome.stats.states} states, ${check.result.outcome.stats.transitions} transitions`);
    expect(orig.bg).not.toBe('');
    await page.click(`#grid td[data-run="${CELL}"] button`);
    await page.waitForSelector('#trace');
    expect(await page.getAttribute('#detail', 'data-run')).toBe(CELL);
    // The worst violated property opens first: NoByeAfterDelete ranks before DbDeleteOnce (both protocol; model order).
    expect(await page.getAttribute('#trace', 'data-prop')).toBe('NoByeAfterDelete');
    expect(new URLSearchParams((await shownStep(page)).hash.slice(1)).get('run')).toBe(CELL);
    await page.screenshot({ path: join(OUTPUT, 'grid-and-cell.png') });
    expect(errorsOf(page)).toEqual([]);
    await page.close();
  });

  it('steps through the trace with the buttons and the arrow keys, showing what the check prints at each step', async () => {
    const chosen = check.chosen.find((c) => c.property === 'NoByeAfterDelete')!;
    const trace = chosen.trace!;
    const lines = traceLines(trace);
    const n = trace.length - 1;
    expect(n).toBe(16);
    const page = await open(file, `#run=${encodeURIComponent(CELL)}&prop=NoByeAfterDelete&step=0`);
    await page.waitForSelector('#trace');
    expect(await page.textContent('#trace-headline')).toBe(`shortest counterexample, 16 steps, ${chosen.switches} actor switches (the fewest switches among ${chosen.count} distinct shortest counterexamples)`);
    const expectStep = async (i: number) => {
      const shown = await shownStep(page);
      const state = trace[i].state as Record<string, unknown>;
      const fields = Object.keys(state);
      expect(shown.position).toBe(`step ${i} of ${n}`);
      expect(shown.step).toBe(i);
      expect(shown.current).toEqual([i]);
      expect(shown.actor).toBe(lines[i].actor);
      expect(shown.stepId).toBe(lines[i].step);
      expect(shown.changes).toEqual(lines[i].changes.map(formatChange));
      expect(new Set(shown.changedFields)).toEqual(new Set(lines[i].changes.map((c) => rootOf(c.path, fields))));
      const a = trace[i].action;
      const cites: { text: string; href: string | null }[] = [];
      if (a) for (const p of partsOf(a)) if (p.source && !cites.some((c) => c.text === citation(p.source!).text)) cites.push({ text: citation(p.source).text, href: citation(p.source).url });
      expect(shown.cites).toEqual(cites);
      expect(new URLSearchParams(shown.hash.slice(1)).get('step')).toBe(String(i));
    };
    await expectStep(0);
    for (let i = 1; i <= 8; i++) {
      await page.click('#next');
      await expectStep(i);
    }
    for (let i = 9; i <= n; i++) {
      await page.keyboard.press('ArrowRight');
      await expectStep(i);
    }
    await page.keyboard.press('ArrowRight'); // past the end: stays
    await expectStep(n);
    await page.keyboard.press('ArrowLeft');
    await expectStep(n - 1);
    await page.click('#prev');
    await expectStep(n - 2);
    await page.keyboard.press('Home');
    await expectStep(0);
    await page.keyboard.press('End');
    await expectStep(n);
    // The marks of the swimlanes: where the violation becomes unavoidable (as the check computes it), and the violation.
    const marks = await page.$$eval('#trace .swimlane tbody tr', (rows) => rows.map((r) => r.querySelector('.mark')!.textContent));
    expect(marks.length).toBe(n + 1);
    expect(marks[n]).toBe('XX');
    expect(marks.indexOf('>>')).toBe(chosen.unavoidableAt);
    // Every step's actor lane holds its step id.
    const lanes = await page.$$eval('#trace .swimlane tbody tr', (rows) =>
      rows.slice(1).map((r) => [...r.querySelectorAll('td.lane')].filter((td) => td.textContent!.trim() !== '').map((td) => [(td as HTMLElement).dataset.actor, td.querySelector('.step-id')!.textContent])),
    );
    expect(lanes).toEqual(lines.slice(1).map((l) => [[l.actor, l.step]]));
    await page.screenshot({ path: join(OUTPUT, 'trace-last-step.png'), fullPage: true });
    expect(errorsOf(page)).toEqual([]);
    await page.close();
  });

  it('hides the unchanged fields when asked', async () => {
    const page = await open(file, `#run=${encodeURIComponent(CELL)}&prop=NoByeAfterDelete&step=8`);
    await page.waitForSelector('#state');
    const all = await page.$$eval('#state tr', (rows) => rows.length);
    await page.check('#hide-unchanged');
    const rows = await page.$$eval('#state tr', (rs) => rs.map((r) => r.className));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(all);
    expect(rows.every((c) => c.includes('changed'))).toBe(true);
    // The arrow keys still step (the checkbox has the focus, but it is not a text field).
    await page.keyboard.press('ArrowRight');
    expect((await shownStep(page)).step).toBe(9);
    await page.close();
  });

  it('restores the cell, trace and step from the URL fragment', async () => {
    const page = await open(file);
    await page.click(`#grid td[data-run="${CELL}"] button`);
    await page.click('.trace-tabs button[data-prop="DbDeleteOnce"]');
    await page.click('#trace .swimlane tbody tr[data-step="7"]');
    const url = page.url();
    const shown = await shownStep(page);
    expect(shown.step).toBe(7);
    expect(new URLSearchParams(shown.hash.slice(1)).get('prop')).toBe('DbDeleteOnce');
    await page.close();
    const again = await open(file, url.slice(url.indexOf('#')));
    await again.waitForSelector('#trace');
    expect(await again.getAttribute('#detail', 'data-run')).toBe(CELL);
    expect(await again.getAttribute('#trace', 'data-prop')).toBe('DbDeleteOnce');
    const restored = await shownStep(again);
    expect(restored.position).toBe(shown.position);
    expect(restored.actor).toBe(shown.actor);
    expect(restored.stepId).toBe(shown.stepId);
    expect(restored.changes).toEqual(shown.changes);
    // Going elsewhere by hand (a link) is followed too.
    await again.evaluate((id) => (location.hash = `#run=${encodeURIComponent(id)}&prop=NoByeAfterDelete&step=3`), `${ROW}/v2`);
    await again.waitForFunction(() => document.getElementById('position')?.textContent?.startsWith('step 3 of'));
    expect(await again.getAttribute('#detail', 'data-run')).toBe(`${ROW}/v2`);
    await again.close();
  });

  it('puts the same property\'s trace of another variant beside it, or says it holds there', async () => {
    const fix = checkData(`${ROW}/v3`);
    const page = await open(file, `#run=${encodeURIComponent(CELL)}&prop=NoByeAfterDelete&step=0`);
    await page.selectOption('#compare-with', `${ROW}/v3`);
    expect(await page.textContent('#compare-verdict')).toBe(
      `NoByeAfterDelete holds in v3 (explored exhaustively: ${fix.result.outcome.stats.states} states); its violations: ${fix.result.outcome.violations.map((v) => v.name).join(', ')}.`,
    );
    expect(new URLSearchParams(new URL(page.url()).hash.slice(1)).get('cmp')).toBe(`${ROW}/v3`);
    const mine = traceLines(check.chosen.find((c) => c.property === 'NoByeAfterDelete')!.trace!);
    const messages: string[] = [];
    // v1-part1 takes the same steps as the code as written; v2 parts from it (its timer takes H first: T2').
    for (const variant of ['v1-part1', 'v2']) {
      const other = checkData(`${ROW}/${variant}`).chosen.find((c) => c.property === 'NoByeAfterDelete')!;
      await page.selectOption('#compare-with', `${ROW}/${variant}`);
      const panes = await page.$$eval('#compare .pane', (ps) =>
        ps.map((p) => ({ run: (p as HTMLElement).dataset.run, rows: p.querySelectorAll('tbody tr').length, steps: [...p.querySelectorAll('tbody tr')].map((r) => r.querySelector('.step-id')?.textContent ?? null) })),
      );
      expect(panes.map((p) => p.run)).toEqual([CELL, `${ROW}/${variant}`]);
      expect(panes[1].rows).toBe(other.trace!.length);
      expect(panes[1].steps.slice(1)).toEqual(traceLines(other.trace!).slice(1).map((l) => l.step));
      const theirs = traceLines(other.trace!);
      let part = 1;
      while (part < Math.min(mine.length, theirs.length) && mine[part].actor === theirs[part].actor && mine[part].step === theirs[part].step) part++;
      const message =
        part < Math.min(mine.length, theirs.length)
          ? `The two traces take the same steps up to step ${part - 1}; they part at step ${part}.`
          : mine.length === theirs.length
            ? `The two traces take the same ${mine.length - 1} steps.`
            : 'The shorter trace is a prefix of the longer one.';
      expect(await page.textContent('#compare-verdict')).toBe(message);
      messages.push(message);
      // Where they part is marked in both panes.
      if (part < Math.min(mine.length, theirs.length)) {
        expect(await page.$$eval('#compare .pane tr.diverge', (rs) => rs.map((r) => (r as HTMLElement).dataset.step))).toEqual([String(part), String(part)]);
      }
    }
    expect(messages[0]).toBe('The two traces take the same 16 steps.');
    expect(messages[1]).toMatch(/they part at step/);
    await page.screenshot({ path: join(OUTPUT, 'side-by-side.png'), fullPage: true });
    await page.close();
  });

  it('draws the counterexample graph; a click on a state shows that state', async () => {
    const data = pageData(file);
    const run = data.runs.find((r) => r.id === CELL)!;
    const t = run.traces.find((x) => x.property === 'NoByeAfterDelete')!;
    expect(t.graph.kind).toBe('drawn');
    const page = await open(file, `#run=${encodeURIComponent(CELL)}&prop=NoByeAfterDelete&step=${t.length}`);
    await page.waitForSelector('#graph-canvas canvas');
    expect(await page.getAttribute('#graph-drawn', 'data-states')).toBe(String(t.graph.kind === 'drawn' ? t.graph.states : -1));
    const target = t.steps[t.length].n!;
    await page.$eval('#graph', (el) => el.scrollIntoView());
    const at = await page.evaluate((node) => {
      const el = document.getElementById('graph-canvas') as HTMLElement & { sigma: { getNodeDisplayData(n: string): { x: number; y: number }; framedGraphToViewport(p: { x: number; y: number }): { x: number; y: number } } };
      const p = el.sigma.framedGraphToViewport(el.sigma.getNodeDisplayData(String(node)));
      const box = el.getBoundingClientRect();
      return { x: box.left + p.x, y: box.top + p.y };
    }, target);
    await page.mouse.click(at.x, at.y);
    await page.waitForSelector(`#node-state[data-node="${target}"]`);
    const nodeFields = await page.$$eval('#node-state table tr', (rows) => rows.map((r) => [r.querySelector('th')!.textContent, r.querySelector('td')!.textContent]));
    // The violating state of the trace: the same fields and values as the state panel at the last step.
    const stateFields = await page.$$eval('#state tr', (rows) => rows.map((r) => [r.querySelector('th')!.textContent, r.querySelector('td')!.childNodes[0].textContent]));
    expect(nodeFields).toEqual(stateFields);
    expect(await page.textContent('#node-state h4')).toContain(`violating, step ${t.length} of the trace`);
    await page.screenshot({ path: join(OUTPUT, 'graph-node.png') });
    expect(errorsOf(page)).toEqual([]);
    await page.close();
  });

  it("links a PR version's citation to its commit on the PR author's fork", async () => {
    // A step of v1-part1's traces that runs the PR's patched code (a file cited as name@196b51fa).
    const data = pageData(file);
    const run = data.runs.find((r) => r.id === `${ROW}/v1-part1`)!;
    let at: { prop: string; step: number; cite: string } | undefined;
    for (const t of run.traces) {
      t.steps.forEach((s, i) => {
        const c = s.a >= 0 ? data.actions[s.a].cites.find((x) => x.text.includes('@196b51fa')) : undefined;
        if (c && at === undefined) at = { prop: t.property, step: i, cite: c.text };
      });
    }
    expect(at).toBeDefined();
    const page = await open(file, `#run=${encodeURIComponent(run.id)}&prop=${at!.prop}&step=${at!.step}`);
    await page.waitForSelector('#trace');
    const cites = (await shownStep(page)).cites;
    const [, name, lines] = /^([\w.]+)@196b51fa:(\d+(?:-\d+)?)$/.exec(at!.cite)!;
    expect(cites).toContainEqual({
      text: at!.cite,
      href: `https://github.com/NormB/opensips/blob/196b51fa200fcc78b7b6521f1076d85c1917b142/modules/dialog/${name}#L${lines.replace('-', '-L')}`,
    });
    const hrefs = await page.$$eval('#trace a.cite', (as) => as.map((a) => a.getAttribute('href')!));
    expect(hrefs.length).toBeGreaterThan(0);
    expect(hrefs.every((h) => /^https:\/\/github\.com\/(OpenSIPS\/opensips\/blob\/aad6b856835a53d660215834e3c16c4591cf2375|NormB\/opensips\/blob\/[0-9a-f]{40})\/modules\/dialog\/[\w.]+\.[ch]#L\d+(-L\d+)?$/.test(h))).toBe(true);
    await page.close();
  });
});

describe('a matrix the page has never seen', () => {
  it('shows the rows, columns, properties and state fields the run has', async () => {
    const file = await writePage('fake', ['--group', 'fake'], fakeRegistry());
    const page = await open(file);
    expect(await page.$$eval('#grid thead th.variant', (ths) => ths.map((t) => t.textContent))).toEqual(['orig', 'fix-timer-ref', 'fixed']);
    expect(await page.$$eval('#grid th.scenario', (ths) => ths.map((t) => t.textContent))).toEqual(['two-holders', 'slow-start']);
    expect(await page.$$eval('.legend li b', (bs) => bs.map((b) => b.textContent))).toEqual(['CountNonNegative', 'OwnersAgree']);
    await page.click('#grid td[data-run="fake/slow-start/spin-lock/tso/orig"] button');
    await page.waitForSelector('#trace');
    expect(await page.$$eval('#state tr', (rows) => rows.map((r) => (r as HTMLElement).dataset.field))).toEqual(['count', 'owners', 'mode']);
    expect(await page.$$eval('#ref-chart .chart-legend li', (lis) => lis.map((l) => l.textContent!.trim()))).toEqual(['Q']);
    await page.keyboard.press('End');
    expect((await shownStep(page)).changes).toEqual(['count: 0 -> -1', 'owners.Q: (absent) -> -1', 'mode: idle -> broken']);
    // A citation of a file that is not OpenSIPS's is shown, not linked.
    expect(await page.$$eval('#trace .cite', (cs) => cs.map((c) => c.tagName))).not.toContain('A');
    expect(errorsOf(page)).toEqual([]);
    await page.close();
  });
});

describe('the propositions', () => {
  it('shows each proposition with the verdict of this run and opens a search with its witness', async () => {
    const file = await writePage('propositions', ['--group', 'propositions', '--filter', 'proposition=P-09']);
    const page = await open(file);
    expect(await page.$$eval('.tabs button', (bs) => bs.map((b) => b.textContent))).toEqual(['Propositions']);
    expect(await page.textContent('#propositions tr[data-prop="P-09"] .verdict')).toBe('holds');
    expect(await page.textContent('#propositions tr[data-prop="P-10"] .verdict')).toBe('unknown (0 of 1 searches run)');
    await page.click('#propositions tr[data-prop="P-09"] button.link');
    await page.waitForSelector('#trace');
    expect(await page.getAttribute('#detail', 'data-run')).toBe('proposition/P-09/pr-timer-first/fast-lock/sc/v1-part1');
    // The engine's witness, as the check prints it for a proposition search.
    const witness = checkData('proposition/P-09/pr-timer-first/fast-lock/sc/v1-part1').result.outcome.properties.find((p) => p.name === 'P-09')!.trace!;
    const switches = actorSwitches(witness);
    expect(await page.textContent('#trace-headline')).toBe(`shortest witness, 6 steps, ${switches} actor switch${switches === 1 ? '' : 'es'} (the engine's shortest trace)`);
    await page.keyboard.press('End');
    expect((await shownStep(page)).changes).toEqual(traceLines(witness)[6].changes.map(formatChange));
    expect(await page.textContent('#graph-none')).toBe("no counterexample graph: the trace is the engine's");
    expect(errorsOf(page)).toEqual([]);
    await page.close();
  });
});

describe('a run with thousands of states', () => {
  it('summarises a counterexample graph above the bound instead of drawing it, and stays responsive', async () => {
    const def = MODELS.find((m) => m.name === 'counter-race')!;
    const big = adHocRun(defaultRegistry(), def, { NP: 3, K: 3 });
    const file = await writePage('counter-big', ['--model', 'counter-race', '-p', 'NP=3,K=3']);
    const data = pageData(file);
    const t = data.runs[0].traces[0];
    expect(data.runs[0].id).toBe(big.id);
    expect(data.runs[0].states).toBe(36875);
    expect(t.graph.kind).toBe('summary');
    if (t.graph.kind !== 'summary') return;
    expect(t.graph.states).toBeGreaterThan(data.drawBound);
    expect(t.graph.states).toBe(28039);
    const page = await open(file);
    const started = Date.now();
    await page.click(`#other-runs button.link`);
    await page.waitForSelector('#graph-summary');
    const opened = Date.now() - started;
    expect(await page.getAttribute('#graph-summary', 'data-states')).toBe('28039');
    expect(await page.$('#graph-canvas')).toBeNull();
    const stepping = Date.now();
    for (let i = 1; i <= t.length; i++) {
      await page.keyboard.press('ArrowRight');
      await page.waitForFunction((s) => document.getElementById('step-info')?.dataset.step === String(s), i, { timeout: 2000 });
    }
    const stepped = Date.now() - stepping;
    // Generous bounds (a shared 2-core machine): a page that drew 28 000 states would take far longer.
    expect(opened).toBeLessThan(5000);
    expect(stepped / t.length).toBeLessThan(500);
    await page.screenshot({ path: join(OUTPUT, 'summarised-graph.png') });
    expect(errorsOf(page)).toEqual([]);
    await page.close();
  });

  it('draws a graph of over a thousand states and steps through its trace without delay', async () => {
    const file = await writePage('counter-drawn', ['--model', 'counter-race', '-p', 'NP=2,K=4']);
    const t = pageData(file).runs[0].traces[0];
    expect(t.graph.kind).toBe('drawn');
    expect(t.graph.kind === 'drawn' ? t.graph.states : 0).toBe(1445);
    const page = await open(file, `#view=runs&run=${encodeURIComponent('counter-race(NP=2,K=4)')}&prop=NoLostUpdate&step=0`);
    await page.waitForSelector('#graph-canvas canvas');
    const stepping = Date.now();
    for (let i = 1; i <= t.length; i++) {
      await page.keyboard.press('ArrowRight');
      await page.waitForFunction((s) => document.getElementById('step-info')?.dataset.step === String(s), i, { timeout: 2000 });
    }
    expect((Date.now() - stepping) / t.length).toBeLessThan(500);
    expect(errorsOf(page)).toEqual([]);
    await page.close();
  });
});
