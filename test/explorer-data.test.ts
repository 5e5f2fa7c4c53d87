/**
 * The explorer page's data (src/explore): the C citation links, and the data
 * built from a run, checked against what the check itself computes (the trace
 * it prints, chosen by src/check/shortest.ts; its cell texts; its changed
 * fields), on a dialog row and on a made-up matrix whose names the dialog model
 * does not have.
 */
import { describe, expect, it } from 'vitest';
import { citation, citationUrl, OPENSIPS_COMMIT, PR_COMMITS } from '../src/explore/citations.js';
import { explorerData } from '../src/explore/build.js';
import { collect } from '../src/explore/collect.js';
import { runPart } from '../src/explore/parts.js';
import { chooseTraces } from '../src/check/shortest.js';
import { defaultRegistry, parseFilter, selectRuns } from '../src/check/registry.js';
import { loadManifest } from '../src/check/dialog.js';
import { prTable } from '../src/report/pr-table.js';
import { execute } from '../src/check/run.js';
import { cellText } from '../src/report/matrix.js';
import { formatChange, formatValue, traceLines } from '../src/format/text.js';
import { decode, Explorer } from '../explorer/model.js';
import type { ExplorerData, TraceData } from '../src/explore/data.js';
import { FAKE_ENV, FAKE_SCENARIOS, FAKE_VARIANTS, fakeRuns } from './helpers/explorer-fixture.js';

describe('citation links', () => {
  it('links a file of the model to modules/dialog at the pinned OpenSIPS commit, with the line range', () => {
    expect(citationUrl({ file: 'dlg_hash.c', line: 1333, endLine: 1348 })).toBe(
      'https://github.com/OpenSIPS/opensips/blob/aad6b856835a53d660215834e3c16c4591cf2375/modules/dialog/dlg_hash.c#L1333-L1348',
    );
    expect(citationUrl({ file: 'dlg_timer.c', line: 586 })).toBe(`https://github.com/OpenSIPS/opensips/blob/${OPENSIPS_COMMIT}/modules/dialog/dlg_timer.c#L586`);
    expect(citationUrl({ file: 'dlg_hash.h', line: 319, endLine: 319 })).toMatch(/dlg_hash\.h#L319$/);
  });

  it("links a PR version's file (name@commit) to the PR author's fork at the full commit", () => {
    expect(citationUrl({ file: 'dlg_hash.c@196b51fa', line: 1338 })).toBe(
      'https://github.com/NormB/opensips/blob/196b51fa200fcc78b7b6521f1076d85c1917b142/modules/dialog/dlg_hash.c#L1338',
    );
    expect(citationUrl({ file: 'dlg_handlers.c@1c2d0bda', line: 2453, endLine: 2455 })).toContain('/blob/1c2d0bdac895abc961228406e7ab095ff49f5331/modules/dialog/dlg_handlers.c#L2453-L2455');
    // An unknown commit is linked as written (GitHub resolves a short hash); anything else is not linked.
    expect(citationUrl({ file: 'dlg_hash.c@abcdef12', line: 5 })).toBe('https://github.com/NormB/opensips/blob/abcdef12/modules/dialog/dlg_hash.c#L5');
    expect(citationUrl({ file: 'notes.md', line: 5 })).toBeNull();
    expect(citationUrl({ file: 'dlg_hash.c@fixed', line: 5 })).toBeNull();
  });

  it("a fix's patched line (name@fix-NAME) has no link but a note naming the patch", () => {
    expect(citation({ file: 'dlg_db_handler.c@fix-db-flag', line: 1016 })).toEqual({
      text: 'dlg_db_handler.c@fix-db-flag:1016',
      url: null,
      note: 'dlg_db_handler.c as it reads after applying fixes/07b-db-delete-once-by-flag.patch to OpenSIPS aad6b856835a (the patch of variant fix-db-flag; no upstream commit has this line)',
    });
    expect(citation({ file: 'dlg_hash.c@fix-nope', line: 1 }).note).toBeUndefined();
    expect(citation({ file: 'dlg_hash.c', line: 1 }).note).toBeUndefined();
  });

  it('each full commit starts with its short form', () => {
    for (const [short, full] of Object.entries(PR_COMMITS)) {
      expect(full).toMatch(/^[0-9a-f]{40}$/);
      expect(full.startsWith(short)).toBe(true);
    }
  });
});

/** What the page shows of a trace step, from the data. */
function shownSteps(data: ExplorerData, t: TraceData) {
  const s = data.strings;
  return t.steps.map((st) => {
    const a = st.a < 0 ? null : data.actions[st.a];
    const changes: string[] = [];
    for (let i = 0; i < st.c.length; i += 3) changes.push(`${s[st.c[i]]}: ${s[st.c[i + 1]]} -> ${s[st.c[i + 2]]}`);
    return { actor: a?.actor ?? null, step: a?.step ?? null, changes };
  });
}

describe('the data of a dialog row', async () => {
  const registry = defaultRegistry();
  const runs = selectRuns(registry.runs, parseFilter(registry.runs, [['scenario', 'ok-short-lifetime'], ['env', 'fast-lock/sc'], ['group', 'dialog']]));
  const { results, parts } = await collect(runs, {}, { jobs: 1, registered: () => false });
  const data = explorerData({ results, parts, selection: '--scenario ok-short-lifetime --env fast-lock/sc' });

  it('has one matrix row with the variants in the order the runs came, and the check\'s cell texts', () => {
    expect(data.matrix!.rows).toEqual([{ scenario: 'ok-short-lifetime', env: 'fast-lock/sc' }]);
    expect(data.matrix!.variants).toEqual(results.map((r) => r.run.tags.variant));
    expect(data.matrix!.cells[0].map((i) => data.runs[i].cell)).toEqual(results.map(cellText));
    expect(data.runs.map((r) => r.states)).toEqual(results.map((r) => r.outcome.stats.states));
  });

  it('shows, for every violated property, the trace the check prints: same actors, steps and changed fields', () => {
    let compared = 0;
    for (const r of results) {
      const requests = r.outcome.violations.filter((v) => v.trace).map((v) => ({ property: v.name, length: v.trace!.length - 1 }));
      const chosen = chooseTraces(r.run, requests, undefined, true);
      const run = data.runs.find((x) => x.id === r.run.id)!;
      expect(run.traces.map((t) => t.property)).toEqual(requests.map((q) => q.property));
      for (const c of chosen) {
        const t = run.traces.find((x) => x.property === c.property)!;
        const want = traceLines(c.trace!).map((l) => ({ actor: l.actor, step: l.step, changes: l.changes.map(formatChange) }));
        expect(shownSteps(data, t)).toEqual(want);
        expect(t.source).toBe('chosen');
        expect(t.count).toBe(c.count);
        expect(t.switches).toBe(c.switches);
        expect(t.unavoidableAt).toBe(c.unavoidableAt);
        compared++;
      }
    }
    // 13 of the 17 variants x (uaf, dfree, holders): fix-ref-first, fix-ref-locked, fixed and v3+fixes remove all three.
    expect(compared).toBe(39);
  });

  it('draws each counterexample graph with the trace on it, from an initial state to a violating one', () => {
    const x = new Explorer(data);
    let graphs = 0;
    for (const run of data.runs) {
      for (const t of run.traces) {
        expect(t.graph.kind).toBe('drawn');
        if (t.graph.kind !== 'drawn') continue;
        const g = decode(t.graph);
        expect(g.ids.length).toBe(t.graph.states);
        expect(g.edges.length).toBe(t.graph.edges);
        expect(t.steps.every((s) => s.n !== null && g.depth.has(s.n))).toBe(true);
        // Step i of the trace is at distance i, and the trace's states are those the page shows for its nodes.
        t.steps.forEach((s, i) => {
          expect(g.depth.get(s.n!)).toBe(i);
          expect(x.view(run, g.view.get(s.n!)!)).toEqual(x.view(run, s.v));
        });
        expect(g.flags.get(t.steps[0].n!)! & 1).toBe(1);
        expect(g.flags.get(t.steps[t.length].n!)! & 2).toBe(2);
        // Each step of the trace is an edge of the graph with the step's action.
        for (let i = 1; i <= t.length; i++) {
          expect(g.edges.some((e) => e.from === t.steps[i - 1].n && e.to === t.steps[i].n && e.action === t.steps[i].a)).toBe(true);
        }
        graphs++;
      }
    }
    expect(graphs).toBe(39);
  });

  it("reads back every state as the check's readable view, whether written whole or as changes", () => {
    const x = new Explorer(data);
    let deltas = 0;
    for (const r of results) {
      const run = data.runs.find((q) => q.id === r.run.id)!;
      deltas += run.views.filter((v) => v[0] < 0).length;
      for (const t of run.traces) {
        const chosen = chooseTraces(r.run, [{ property: t.property, length: t.length }], undefined, true)[0];
        t.steps.forEach((s, i) => {
          const view = chosen.trace![i].state as Record<string, unknown>;
          expect(x.view(run, s.v)).toEqual(Object.entries(view).map(([name, v]) => ({ name, value: formatValue(v) })));
        });
      }
    }
    expect(deltas).toBeGreaterThan(0);
  });

  it("charts, at every step of every trace, the state's ref and its reference holders", () => {
    const x = new Explorer(data);
    let points = 0;
    for (const run of data.runs) {
      for (const t of run.traces) {
        const chart = t.chart!;
        expect(chart.breakdown!.field).toBe('holders');
        t.steps.forEach((s, i) => {
          const view = new Map(x.view(run, s.v).map((f) => [f.name, f.value]));
          expect(String(chart.ref[i])).toBe(view.get('ref'));
          // The holders at this step, as the state shows them ({hash:1,timer:1}), and as the chart stacks them.
          const stacked = chart.breakdown!.keys.map((k, j) => `${k}:${chart.breakdown!.values[i][j]}`).filter((e) => !e.endsWith(':0'));
          const shown = view.get('holders')!.replace(/^\{|\}$/g, '');
          expect(stacked.sort()).toEqual(shown === '' ? [] : shown.split(',').sort());
          points++;
        });
      }
    }
    expect(points).toBeGreaterThan(500);
  });

  it('ranks crash properties before protocol ones before witnesses, and colours a cell by its worst', () => {
    const rank = new Map(data.properties.map((p) => [p.name, p]));
    expect(rank.get('NoUseAfterFree')!.severity).toBe('crash');
    expect(rank.get('NoByeAfterDelete')!.severity).toBe('protocol');
    expect(rank.get('TimerFired')!.severity).toBe('witness');
    expect(rank.get('NoUseAfterFree')!.rank).toBeLessThan(rank.get('NoByeAfterDelete')!.rank);
    expect(rank.get('NoByeAfterDelete')!.rank).toBeLessThan(rank.get('TimerFired')!.rank);
    const orig = data.runs.find((r) => r.tags.variant === 'orig')!;
    // Violated: NoUseAfterFree, NoDoubleFree, RefMatchesHolders; the worst is the first crash property in the model's order.
    expect(orig.worst).toBe('NoUseAfterFree');
  });

  it('is the same data on every build', () => {
    expect(JSON.stringify(explorerData({ results, parts, selection: '--scenario ok-short-lifetime --env fast-lock/sc' }))).toBe(JSON.stringify(data));
  });
});

describe('the data of a matrix it has never seen', async () => {
  const runs = fakeRuns();
  const { results, parts } = await collect(runs, {}, { jobs: 1, registered: () => false });
  const data = explorerData({ results, parts });

  it('takes its rows, columns, properties and state fields from the run', () => {
    expect(data.matrix!.rows).toEqual(FAKE_SCENARIOS.map((scenario) => ({ scenario, env: FAKE_ENV })));
    expect(data.matrix!.variants).toEqual([...FAKE_VARIANTS]);
    expect(data.properties.map((p) => p.name)).toEqual(['CountNonNegative', 'OwnersAgree', 'BothHeld']);
    const orig = data.runs[data.matrix!.cells[0][0]];
    expect(orig.cell).toBe('CountNonNegative OwnersAgree');
    expect(data.runs[data.matrix!.cells[0][1]].cell).toBe('ok');
    const fields = orig.views[orig.traces[0].steps[0].v].filter((_, i) => i % 2 === 0).map((k) => data.strings[k]);
    expect(fields).toEqual(['count', 'owners', 'mode']);
    // The chart's breakdown is the record of counts the states have.
    expect(orig.traces[0].chart!.breakdown!.field).toBe('owners');
    expect(data.prTable).toBeNull();
    expect(data.propositions).toBeNull();
  });

  it('links a citation of a file that is not C source to nothing', () => {
    expect(data.actions.every((a) => a.cites.every((c) => c.url === null))).toBe(true);
    expect(data.actions.some((a) => a.cites.length > 0)).toBe(true);
  });
});

describe('a graph above the bound', () => {
  it('is summarised: its states per distance, no states drawn', () => {
    const registry = defaultRegistry();
    const run = selectRuns(registry.runs, parseFilter(registry.runs, [['id', 'counter-race(NP=2,K=1)']]))[0];
    const r = execute(run);
    const requests = r.outcome.violations.map((v) => ({ property: v.name, length: v.trace!.length - 1 }));
    const drawn = runPart(run, requests).traces[0].graph;
    const summary = runPart(run, requests, { drawBound: 5 }).traces[0].graph;
    expect(drawn.kind).toBe('drawn');
    expect(summary.kind).toBe('summary');
    if (drawn.kind !== 'drawn' || summary.kind !== 'summary') return;
    expect(summary.states).toBe(drawn.nodes.length);
    expect(summary.perDepth.reduce((a, b) => a + b, 0)).toBe(drawn.nodes.length);
    expect(summary.perDepth.length).toBe(summary.length + 1);
    expect(summary.edges).toBe(drawn.edges.length);
    expect(summary.why).toBe(`${drawn.nodes.length} states, more than 5: summarised, not drawn`);
  });
});

describe("the PR's table and the propositions of a run", async () => {
  const registry = defaultRegistry();
  const pick = (filter: [string, string][]) => selectRuns(registry.runs, parseFilter(registry.runs, filter));
  const runs = [...pick([['group', 'dialog'], ['scenario', 'pr-bye-first'], ['env', 'fast-lock/sc']]), ...pick([['group', 'propositions'], ['proposition', 'P-09']])];
  const { results, parts } = await collect(runs, {}, { jobs: 1, registered: () => false });
  const data = explorerData({ results, parts, environments: loadManifest().environments });

  it("gives the PR's table the cells of this run, as the table made from the manifest has them, and 'not run' for the others", () => {
    const declared = prTable(loadManifest());
    const mine = data.prTable!;
    expect(mine.claims).toEqual(declared.claims);
    const sc = mine.sections.find((s) => s.env === 'fast-lock/sc')!;
    const scDeclared = declared.sections.find((s) => s.env === 'fast-lock/sc')!;
    expect(sc.rows.find((r) => r.scenario === 'pr-bye-first')!.cells).toEqual(scDeclared.rows.find((r) => r.scenario === 'pr-bye-first')!.cells);
    expect(sc.rows.find((r) => r.scenario === 'pr-bye-first')!.cells[0]).toMatch(/^agrees: safe \(exhaustive, \d+ states\)$/);
    expect(sc.rows.find((r) => r.scenario === 'pr-timer-first')!.cells).toEqual(['not run', 'not run', 'not run']);
  });

  it('decides the propositions whose searches ran, with the answer of each search and its witness', () => {
    const p09 = data.propositions!.find((p) => p.id === 'P-09')!;
    expect(p09.verdict).toBe('holds');
    expect(p09.searches.map((s) => [data.runs[s.run].id, s.text])).toEqual([['proposition/P-09/pr-timer-first/fast-lock/sc/v1-part1', 'witness, 6 steps']]);
    const witness = data.runs[p09.searches[0].run].traces.find((t) => t.property === 'P-09')!;
    expect(witness.role).toBe('witness');
    expect(witness.source).toBe('engine');
    expect(witness.length).toBe(6);
    const p10 = data.propositions!.find((p) => p.id === 'P-10')!;
    expect(p10.verdict).toBe('unknown');
    expect(p10.searches).toEqual([]);
    expect(p10.total).toBe(1);
  });
});

describe('a row that runs only some variants (check-manifest.json `variants`)', async () => {
  const registry = defaultRegistry();
  const pick = (filter: [string, string][]) => selectRuns(registry.runs, parseFilter(registry.runs, filter));
  const runs = [
    ...pick([['group', 'dialog'], ['scenario', 'bye-vs-timeout-B'], ['env', 'fast-lock/sc'], ['variant', 'orig']]),
    // The row's variants of the default tier (its v3, in the full tier, has 161 million states).
    ...pick([['group', 'dialog'], ['scenario', 'bye-vs-timeout-B'], ['env', 'posix-sem/sc/eintr1'], ['tier', 'default']]),
  ];
  const { results, parts } = await collect(runs, {}, { jobs: 1, registered: () => false });
  const data = explorerData({ results, parts, environments: loadManifest().environments });

  it('has no cell (-1) for a variant the row does not run, and one for each it runs', () => {
    const m = data.matrix!;
    expect(m.variants).toEqual(['orig', 'fix-eintr', 'fixed', 'v3+fixes']);
    const row = (env: string) => m.cells[m.rows.findIndex((r) => r.scenario === 'bye-vs-timeout-B' && r.env === env)];
    expect(row('posix-sem/sc/eintr1').map((i) => (i < 0 ? '-' : data.runs[i].id.split('/').pop()))).toEqual(['-', 'fix-eintr', 'fixed', 'v3+fixes']);
    expect(row('fast-lock/sc').map((i) => (i < 0 ? '-' : data.runs[i].id.split('/').pop()))).toEqual(['orig', '-', '-', '-']);
  });
});
