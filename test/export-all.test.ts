/**
 * Every export format, written by `check --export` for the counterexamples of
 * every example model (counter-race, peterson, two-phase) and of two dialog
 * cells (ok-short-lifetime and bye-vs-timeout-B, the code as written), then:
 * text and Mermaid compared with golden files (test/golden/export/;
 * UPDATE_GOLDEN=1 rewrites them; Mermaid's own parser reads them in
 * export-mermaid-parse.test.ts); ITF read back and checked against the
 * Mermaid diagram of the same trace; graphology JSON, GraphML and GEXF parsed
 * back and compared with each other; DOT laid out by @viz-js/viz, which must
 * give the SVG written. Full state graphs likewise, where they are small
 * enough to be written.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MultiDirectedGraph } from 'graphology';
import { parse as parseGraphml } from 'graphology-graphml';
import { parse as parseGexf } from 'graphology-gexf';
import { main, type Io } from '../src/cli.js';
import { readItf } from '../src/report/itf.js';
import { dotToSvg } from '../src/graph/export.js';
import { golden } from './export-helpers.js';

const ALL = 'swimlane,swimlane-full,md,mermaid,itf,json,graphml,gexf,dot,svg';

async function exportAll(args: string[], formats = ALL): Promise<{ dir: string; files: string[]; stdout: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'export-all-'));
  let stdout = '';
  const io: Io = { stdout: (t) => void (stdout += t), stderr: { write: () => true, isTTY: false } as unknown as Io['stderr'] };
  expect(await main([...args, '--jobs', '1', '--no-timing', '--export', formats, '--out', dir], io)).toBe(0);
  return { dir, files: readdirSync(dir).sort(), stdout };
}

const read = (dir: string, f: string) => readFileSync(join(dir, f), 'utf8');

/** The steps of a Mermaid diagram's messages, "actor:step", in order. */
const mermaidSteps = (mmd: string): string[] =>
  [...mmd.matchAll(/^ {2}(\S+)->>\1: \d+\. (\S+)/gm)].map((m) => `${m[1]}:${m[2]}`);

function checkCounterexample(dir: string, base: string, opts: { sourced: boolean }) {
  // Text and Mermaid: golden files.
  for (const ext of ['swimlane.txt', 'swimlane-full.txt', 'swimlane.md', 'mmd']) golden(`export/${base}.${ext}`, read(dir, `${base}.${ext}`));
  const mmd = read(dir, `${base}.mmd`);
  const steps = (read(dir, `${base}.swimlane.txt`).match(/counterexample of (\d+) steps?/) ?? [])[1];

  // ITF: read back; the same trace as the diagram, step by step.
  const itf = readItf(read(dir, `${base}.itf.json`));
  expect(itf.states.length).toBe(Number(steps) + 1);
  itf.states.forEach((s, i) => expect(s.index).toBe(i));
  expect(itf.vars.length).toBeGreaterThan(0);
  expect(itf.states.slice(1).map((s) => `${s.action!.actor}:${s.action!.step}`)).toEqual(mermaidSteps(mmd));

  // The graph formats: parsed back, the same graph in each.
  const json = MultiDirectedGraph.from(JSON.parse(read(dir, `${base}.cex.graphology.json`)));
  expect(json.getAttribute('scope')).toBe('counterexample');
  expect(json.getAttribute('length')).toBe(Number(steps));
  const gml = parseGraphml(MultiDirectedGraph, read(dir, `${base}.cex.graphml`));
  const gexf = parseGexf(MultiDirectedGraph, read(dir, `${base}.cex.gexf`));
  for (const g of [gml, gexf]) {
    expect(g.order).toBe(json.order);
    expect(g.size).toBe(json.size);
  }
  const violating = json.filterNodes((_, a) => a.violating === true);
  expect(violating.length).toBeGreaterThan(0);
  json.forEachNode((n, a) => {
    expect(gml.getNodeAttribute(n, 'violating')).toBe(a.violating);
    expect(gexf.getNodeAttribute(n, 'violating')).toBe(a.violating);
    expect(a.depth).toBeLessThanOrEqual(Number(steps));
    if (a.violating) expect(a.depth).toBe(Number(steps));
  });
  json.forEachEdge((e, a, _s, t) => {
    expect(a.violating).toBe(json.getNodeAttribute(t, 'violating'));
    expect(gml.getEdgeAttribute(e, 'label')).toBe(a.label);
    expect(gexf.getEdgeAttribute(e, 'label')).toBe(a.label);
    if (opts.sourced) expect(a.label).toMatch(/^\w+:\S+ @ \w+\.[ch]:\d+/);
  });
  // The chosen trace is one of the graph's paths: every step is an edge label.
  const labels = new Set(json.mapEdges((_, a) => `${a.actor}:${a.step}`));
  for (const s of mermaidSteps(mmd)) expect(labels.has(s)).toBe(true);
}

async function checkDotAndSvg(dir: string, stem: string) {
  const svg = await dotToSvg(read(dir, `${stem}.dot`));
  expect(read(dir, `${stem}.svg`)).toBe(svg);
  expect(svg).toMatch(/<svg[\s\S]*<\/svg>\s*$/);
}

function checkFull(dir: string, stem: string, states: number, transitions: number) {
  const json = MultiDirectedGraph.from(JSON.parse(read(dir, `${stem}.full.graphology.json`)));
  expect([json.order, json.size]).toEqual([states, transitions]);
  const gml = parseGraphml(MultiDirectedGraph, read(dir, `${stem}.full.graphml`));
  const gexf = parseGexf(MultiDirectedGraph, read(dir, `${stem}.full.gexf`));
  expect([gml.order, gml.size, gexf.order, gexf.size]).toEqual([states, transitions, states, transitions]);
}

const cexFiles = (base: string) =>
  ['cex.dot', 'cex.gexf', 'cex.graphml', 'cex.graphology.json', 'cex.svg', 'itf.json', 'mmd', 'swimlane-full.txt', 'swimlane.md', 'swimlane.txt'].map((e) => `${base}.${e}`);
const fullFiles = (stem: string) => ['full.dot', 'full.gexf', 'full.graphml', 'full.graphology.json', 'full.svg'].map((e) => `${stem}.${e}`);

describe('every format for the example models', () => {
  it('peterson and peterson-buggy', async () => {
    const { dir, files } = await exportAll(['--filter', 'model=peterson']);
    expect(files).toEqual([...cexFiles('peterson-buggy.MutualExclusion'), ...fullFiles('peterson-buggy'), ...fullFiles('peterson')].sort());
    checkCounterexample(dir, 'peterson-buggy.MutualExclusion', { sourced: false });
    await checkDotAndSvg(dir, 'peterson-buggy.MutualExclusion.cex');
    checkFull(dir, 'peterson-buggy', 98, 186);
    checkFull(dir, 'peterson', 38, 64);
    await checkDotAndSvg(dir, 'peterson.full');
  }, 120_000);

  it('two-phase-buggy(RM=3)', async () => {
    const { dir, files } = await exportAll(['--filter', 'model=two-phase', '--filter', 'buggy=true']);
    const base = 'two-phase-buggy_RM-3';
    expect(files).toEqual([...cexFiles(`${base}.TCConsistent`), ...fullFiles(base)].sort());
    checkCounterexample(dir, `${base}.TCConsistent`, { sourced: false });
    await checkDotAndSvg(dir, `${base}.TCConsistent.cex`);
    checkFull(dir, base, 623, 2507);
  }, 120_000);

  it('counter-race(NP=2,K=1)', async () => {
    const { dir, files } = await exportAll(['--model', 'counter-race', '-p', 'NP=2,K=1']);
    const base = 'counter-race_NP-2_K-1';
    expect(files).toEqual([...cexFiles(`${base}.NoLostUpdate`), ...fullFiles(base)].sort());
    checkCounterexample(dir, `${base}.NoLostUpdate`, { sourced: false });
    await checkDotAndSvg(dir, `${base}.NoLostUpdate.cex`);
    checkFull(dir, base, 51, 82);
  }, 120_000);

  it('counter-race(NP=3,K=4): swimlanes with the count of shortest traces; graphs above the bound refused', async () => {
    const { dir, files, stdout } = await exportAll(['--model', 'counter-race', '-p', 'NP=3,K=4'], 'swimlane,dot,svg');
    const base = 'counter-race_NP-3_K-4.NoLostUpdate';
    expect(files).toEqual([`${base}.swimlane.txt`]);
    expect(read(dir, `${base}.swimlane.txt`)).toContain(
      'There are 1354230898401083489280 distinct shortest counterexamples (48 steps each); this one has the fewest actor switches: 3.',
    );
    expect(stdout).toContain(`  ${base}.cex.svg: the counterexample graph has 135663 states, more than 2000; give --force to write it anyway\n`);
    expect(stdout).toContain('  counter-race_NP-3_K-4.full.dot: the state graph has 165340 states, more than 2000; give --force to write it anyway\n');
  }, 180_000);
});

describe('every format for dialog counterexamples (the code as written, fast-lock/sc)', () => {
  it('ok-short-lifetime: NoUseAfterFree, NoDoubleFree, RefMatchesHolders', async () => {
    const { dir, files } = await exportAll(['--scenario', 'ok-short-lifetime', '--env', 'fast-lock/sc', '--variant', 'orig']);
    const stem = 'dialog_ok-short-lifetime_fast-lock_sc_orig';
    const props = ['NoUseAfterFree', 'NoDoubleFree', 'RefMatchesHolders'];
    expect(files).toEqual([...props.flatMap((p) => cexFiles(`${stem}.${p}`)), ...fullFiles(stem)].sort());
    for (const p of props) {
      checkCounterexample(dir, `${stem}.${p}`, { sourced: true });
      await checkDotAndSvg(dir, `${stem}.${p}.cex`);
    }
    checkFull(dir, stem, 77, 125);
    await checkDotAndSvg(dir, `${stem}.full`);
  }, 180_000);

  it('bye-vs-timeout-B: NoByeAfterDelete (420 shortest) and DbDeleteOnce', async () => {
    const { dir, files, stdout } = await exportAll(['--scenario', 'bye-vs-timeout-B', '--env', 'fast-lock/sc', '--variant', 'orig']);
    const stem = 'dialog_bye-vs-timeout-B_fast-lock_sc_orig';
    const props = ['NoByeAfterDelete', 'DbDeleteOnce'];
    expect(files).toEqual(props.flatMap((p) => cexFiles(`${stem}.${p}`)).sort());
    expect(stdout).toContain(`  ${stem}.full.svg: the state graph has 13578 states, more than 2000; give --force to write it anyway\n`);
    for (const p of props) {
      checkCounterexample(dir, `${stem}.${p}`, { sourced: true });
      await checkDotAndSvg(dir, `${stem}.${p}.cex`);
    }
    expect(read(dir, `${stem}.NoByeAfterDelete.swimlane.txt`)).toContain('There are 420 distinct shortest counterexamples (16 steps each)');
  }, 180_000);
});
