/**
 * The verdict grid: a row per scenario and environment, a column per code
 * variant (as the run has them), each cell coloured by its worst violated
 * property, its text the check's (short names, `!` when it differs from its
 * declaration), the state counts on hover. A click opens the cell.
 */
import type { Explorer, RunData } from './model.js';

export function cellTitle(r: RunData): string {
  const violated = r.verdicts.filter((v) => v.verdict === 'violated').map((v) => v.name);
  return [
    r.id,
    `${r.status}${r.bound ? ` (${r.bound})` : ''}: ${r.states} states, ${r.transitions} transitions, depth ${r.depth}${r.timeMs !== undefined ? `, ${(r.timeMs / 1000).toFixed(2)} s` : ''}`,
    violated.length > 0 ? `violated: ${violated.join(', ')}` : 'every property holds',
    r.asDeclared ? 'as declared' : `differs from its declaration: ${r.differences.join('; ')}`,
  ].join('\n');
}

export function cellStyle(x: Explorer, r: RunData): { background?: string; color?: string } {
  if (r.status === 'error' || r.status === 'incomplete') return {};
  if (r.worst === null) return {};
  const p = x.property(r.worst);
  return p ? { background: p.color, color: p.severity === 'witness' ? '#222' : '#fff' } : {};
}

export function cellClass(r: RunData): string {
  return ['cell', r.status === 'error' ? 'error' : r.status === 'incomplete' ? 'incomplete' : r.worst === null ? 'ok' : 'violated', r.asDeclared ? '' : 'differs'].join(' ').trim();
}

export function Grid({ x, selected, open }: { x: Explorer; selected: number | null; open: (run: number) => void }) {
  const m = x.data.matrix!;
  let lastScenario = '';
  return (
    <div class="grid-wrap">
      <table class="grid" id="grid">
        <thead>
          <tr>
            <th>scenario</th>
            <th>environment</th>
            {m.variants.map((v) => (
              <th key={v} class="variant">
                {v}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {m.rows.map((row, ri) => {
            const first = row.scenario !== lastScenario;
            lastScenario = row.scenario;
            return (
              <tr key={`${row.scenario} ${row.env}`} class={first ? 'first' : ''}>
                <th class="scenario">{first ? row.scenario : ''}</th>
                <th class="env">{row.env}</th>
                {m.cells[ri].map((i, ci) => {
                  if (i < 0)
                    return (
                      <td key={ci} class="cell none" title={`not run: the row ${row.scenario} ${row.env} does not run ${m.variants[ci]} (check-manifest.json: its 'variants' and note)`}>
                        ·
                      </td>
                    );
                  const r = x.run(i);
                  return (
                    <td key={ci} class={`${cellClass(r)}${selected === i ? ' selected' : ''}`} style={cellStyle(x, r)} title={cellTitle(r)} data-run={r.id}>
                      <button type="button" onClick={() => open(i)} aria-label={`${r.id}: ${r.cell}`}>
                        {r.cell}
                      </button>
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
