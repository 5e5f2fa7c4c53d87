/** The runs outside the matrix and the proposition searches, the PR's scenario table beside the model's cells, and the PR's propositions. */
import type { PrTableData } from '../src/explore/data.js';
import { cellClass, cellStyle, cellTitle } from './grid.js';
import type { Explorer } from './model.js';

export function OtherRuns({ x, selected, open }: { x: Explorer; selected: number | null; open: (run: number) => void }) {
  const runs = x.data.runs.map((r, i) => [r, i] as const).filter(([r]) => r.kind === 'other');
  return (
    <table class="runs" id="other-runs">
      <thead>
        <tr>
          <th>run</th>
          <th>status</th>
          <th class="num">states</th>
          <th class="num">transitions</th>
          <th class="num">depth</th>
          <th>violated</th>
          <th>as declared</th>
        </tr>
      </thead>
      <tbody>
        {runs.map(([r, i]) => (
          <tr key={r.id} class={selected === i ? 'selected' : ''} data-run={r.id}>
            <td>
              <button type="button" class="link" onClick={() => open(i)}>
                {r.id}
              </button>
            </td>
            <td class={cellClass(r)} style={cellStyle(x, r)} title={cellTitle(r)}>
              {r.status}
            </td>
            <td class="num">{r.states}</td>
            <td class="num">{r.transitions}</td>
            <td class="num">{r.depth}</td>
            <td>{r.verdicts.filter((v) => v.verdict === 'violated').map((v) => v.name).join(', ') || '-'}</td>
            <td>{r.asDeclared ? 'yes' : 'NO'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The Markdown of a table cell, read for the two forms it uses: **bold** and `code`. */
function Md({ text }: { text: string }) {
  const parts = text.split(/(\*\*[^*]+\*\*|`[^`]+`)/);
  return (
    <>
      {parts.map((p, i) =>
        p.startsWith('**') && p.endsWith('**') && p.length > 4 ? <strong key={i}>{p.slice(2, -2)}</strong> : p.startsWith('`') && p.endsWith('`') && p.length > 2 ? <code key={i}>{p.slice(1, -1)}</code> : p,
      )}
    </>
  );
}

export function PrTable({ table }: { table: PrTableData }) {
  return (
    <section class="pr-table" id="pr-table">
      <h2>PR #3836's scenario table, beside the model</h2>
      <p>
        "crash": a memory-safety property is violated; "safe": the exhaustive exploration found none. Cells of this run only ("not run" when
        the selection left them out).
      </p>
      <table>
        <thead>
          <tr>
            <th>PR's scenario</th>
            {table.variants.map((v) => (
              <th key={v}>PR: {v}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.claims.map((c) => (
            <tr key={c.scenario}>
              <th>
                {c.name} <code>{c.scenario}</code>
              </th>
              {c.claims.map((t, i) => (
                <td key={i}>{t}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {table.sections.map((s) => (
        <div key={s.env}>
          <h3>
            Model: {s.label} (<code>{s.env}</code>)
          </h3>
          <table>
            <thead>
              <tr>
                <th>scenario</th>
                {table.variants.map((v) => (
                  <th key={v}>{v}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {s.rows.map((row) => (
                <tr key={row.scenario}>
                  <th>{row.name}</th>
                  {row.cells.map((t, i) => (
                    <td key={i} class={t.startsWith('**differs**') ? 'differs' : t.startsWith('agrees') ? 'agrees' : ''}>
                      <Md text={t} />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </section>
  );
}

export function Propositions({ x, open }: { x: Explorer; open: (run: number) => void }) {
  const props = x.data.propositions!;
  return (
    <section class="propositions" id="propositions">
      <h2>PR #3836's propositions, decided by the model</h2>
      <table>
        <thead>
          <tr>
            <th>id</th>
            <th>proposition</th>
            <th>verdict</th>
            <th>searches (scenario environment variant: answer)</th>
          </tr>
        </thead>
        <tbody>
          {props.map((p) => (
            <tr key={p.id} data-prop={p.id} class={`verdict-${p.verdict.replace(/\W+/g, '-')}`}>
              <th>{p.id}</th>
              <td>
                {p.claim}
                <details>
                  <summary>why</summary>
                  {p.searched ? (
                    <p>
                      Searched as {p.searched.quant === 'exists' ? 'a witness' : 'an invariant'}: {p.searched.property}.
                    </p>
                  ) : null}
                  {p.outside ? <p>{p.outside}</p> : null}
                  <p>{p.note}</p>
                </details>
              </td>
              <td class="verdict">
                {p.verdict}
                {p.searches.length < p.total ? ` (${p.searches.length} of ${p.total} searches run)` : ''}
              </td>
              <td>
                <ul>
                  {p.searches.map((s) => {
                    const r = x.run(s.run);
                    return (
                      <li key={r.id}>
                        <button type="button" class="link" onClick={() => open(s.run)}>
                          {r.tags.scenario} {r.tags.env} {r.tags.variant}
                        </button>
                        : {s.text}
                      </li>
                    );
                  })}
                  {p.contrast.map((s) => {
                    const r = x.run(s.run);
                    return (
                      <li key={r.id} class="contrast">
                        under the PR's assumption:{' '}
                        <button type="button" class="link" onClick={() => open(s.run)}>
                          {r.tags.scenario} {r.tags.env} {r.tags.variant}
                        </button>
                        : {s.text}
                      </li>
                    );
                  })}
                  {p.differingRows !== undefined ? <li>matrix rows where the two variants differ: {p.differingRows.length === 0 ? 'none' : p.differingRows.join(', ')}</li> : null}
                </ul>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
