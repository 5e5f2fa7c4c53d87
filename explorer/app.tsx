/**
 * The page: a header with the run's summary and the legend of properties, tabs
 * (the verdict grid, the other runs, the PR's table, the propositions), and the
 * open run below them. What is open is kept in the URL fragment.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { defaultProp, Detail } from './detail.js';
import { Grid } from './grid.js';
import { formatFragment, parseFragment, TABS, type Explorer, type Place, type Tab } from './model.js';
import { OtherRuns, PrTable, Propositions } from './tables.js';

const TAB_NAMES: Record<Tab, string> = { matrix: 'Verdict grid', runs: 'Other runs', pr: "PR's table", propositions: 'Propositions' };

export function App({ x }: { x: Explorer }) {
  const [place, setPlace] = useState<Place>(() => parseFragment(location.hash));
  useEffect(() => {
    const onHash = () => setPlace(parseFragment(location.hash));
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  const go = useCallback((p: Partial<Place>) => {
    setPlace((old) => {
      const next = { ...old, ...p };
      const frag = formatFragment(next);
      if (frag !== location.hash && !(frag === '' && location.hash === '')) history.replaceState(null, '', frag === '' ? location.pathname + location.search : frag);
      return next;
    });
  }, []);
  const d = x.data;
  const open = (i: number) => go({ run: d.runs[i].id, prop: defaultProp(x, d.runs[i]), step: 0, cmp: null });
  const runIndex = place.run === null ? undefined : x.runIndex.get(place.run);
  const shownTabs = TABS.filter((t) => (t === 'matrix' ? d.matrix !== null : t === 'runs' ? d.runs.some((r) => r.kind === 'other') : t === 'pr' ? d.prTable !== null : d.propositions !== null));
  const tab = shownTabs.includes(place.tab) ? place.tab : (shownTabs[0] ?? 'matrix');
  // The legend is the grid's: the properties violated in some matrix cell.
  const used = new Set(d.runs.filter((r) => r.kind === 'matrix').flatMap((r) => r.verdicts.filter((v) => v.verdict === 'violated').map((v) => v.name)));
  const legend = [...d.properties].filter((p) => used.has(p.name)).sort((a, b) => a.rank - b.rank);
  return (
    <div class="page">
      <header>
        <h1>{d.title}</h1>
        <p class="summary">
          <span id="summary" class={d.exitCode === 0 ? 'good' : 'bad'}>
            {d.summary}
          </span>
          {d.selection ? <span class="selection"> · selection: <code>{d.selection}</code></span> : <span class="selection"> · every registered run</span>}
          {d.timeMs !== undefined ? <span class="time"> · {(d.timeMs / 1000).toFixed(1)} s</span> : null}
        </p>
        {legend.length > 0 ? (
          <ul class="legend" aria-label="legend">
            <li class="legend-ok">
              <span class="swatch ok" /> ok
            </li>
            {legend.map((p) => (
              <li key={p.name} title={`${p.name} (${p.kind}, ${p.severity}): ${p.meaning}`}>
                <span class="swatch" style={{ background: p.color }} /> <b>{p.short}</b> {p.short !== p.name ? p.name : ''}
              </li>
            ))}
            <li title="the cell differs from its declaration">! differs from the declaration</li>
            {d.matrix?.cells.some((row) => row.includes(-1)) ? <li title="the row does not run that variant (check-manifest.json: the row's 'variants' and note)">· not run</li> : null}
          </ul>
        ) : null}
      </header>
      <nav class="tabs" role="tablist">
        {shownTabs.map((t) => (
          <button key={t} role="tab" id={`tab-${t}`} aria-selected={t === tab} class={t === tab ? 'active' : ''} onClick={() => go({ tab: t })}>
            {TAB_NAMES[t]}
          </button>
        ))}
      </nav>
      <main>
        {tab === 'matrix' && d.matrix ? <Grid x={x} selected={runIndex ?? null} open={open} /> : null}
        {tab === 'runs' ? <OtherRuns x={x} selected={runIndex ?? null} open={open} /> : null}
        {tab === 'pr' && d.prTable ? <PrTable table={d.prTable} /> : null}
        {tab === 'propositions' && d.propositions ? <Propositions x={x} open={open} /> : null}
        {place.run !== null && runIndex === undefined ? <p class="notice">No run {place.run} in this page.</p> : null}
        {runIndex !== undefined ? <Detail key={place.run} x={x} runIndex={runIndex} place={place} go={go} /> : null}
      </main>
    </div>
  );
}
