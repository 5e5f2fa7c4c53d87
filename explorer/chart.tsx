/**
 * The reference count over the steps (a line), the holders it is made of
 * (stacked bars, from the trace's record of counts: the dialog's `holders`),
 * and who holds each lock (a band per lock), with the current step marked.
 * A click on a column goes to that step. Plain SVG.
 */
import type { ChartData, StepData } from '../src/explore/data.js';

const COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#edc948', '#76b7b2', '#ff9da7', '#9c755f', '#bab0ac', '#e15759'];
const COL = 22;
const LEFT = 34;
const H = 130;
const TOP = 10;
const BAND = 16;

/** "H=W TL=-" -> [["H", "W"], ["TL", "-"]]. */
export const lockHolders = (locks: string | null): [string, string][] =>
  locks === null ? [] : locks.split(' ').filter((p) => p.includes('=')).map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]);

export function RefChart({ chart, steps, step, setStep }: { chart: ChartData; steps: readonly StepData[]; step: number; setStep: (s: number) => void }) {
  const n = steps.length;
  const b = chart.breakdown;
  let hi = 1;
  let lo = 0;
  for (let i = 0; i < n; i++) {
    const r = chart.ref[i];
    if (r !== null) {
      hi = Math.max(hi, r);
      lo = Math.min(lo, r);
    }
    if (b) {
      const pos = b.values[i].filter((v) => v > 0).reduce((s, v) => s + v, 0);
      const neg = b.values[i].filter((v) => v < 0).reduce((s, v) => s + v, 0);
      hi = Math.max(hi, pos);
      lo = Math.min(lo, neg);
    }
  }
  const y = (v: number) => TOP + ((hi - v) / (hi - lo)) * H;
  const locks = steps.map((s) => lockHolders(s.locks));
  const lockNames = locks.find((l) => l.length > 0)?.map(([k]) => k) ?? [];
  const width = LEFT + n * COL + 8;
  const height = TOP + H + 8 + lockNames.length * (BAND + 2) + 4;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo); v <= Math.floor(hi); v++) ticks.push(v);
  const actorColor = new Map<string, string>();
  const colorOf = (actor: string) => {
    if (!actorColor.has(actor)) actorColor.set(actor, COLORS[(actorColor.size + 3) % COLORS.length]);
    return actorColor.get(actor)!;
  };
  const refPoints = chart.ref.map((r, i) => (r === null ? null : [LEFT + i * COL + COL / 2, y(r)] as const));
  return (
    <figure class="chart" id="ref-chart">
      <figcaption>
        reference count{b ? ` and ${b.field}` : ''} over the steps{lockNames.length > 0 ? '; who holds each lock' : ''}
      </figcaption>
      <div class="chart-scroll">
        <svg width={width} height={height} role="img" aria-label="reference count over the steps">
          <rect class="current-col" x={LEFT + step * COL} y={0} width={COL} height={height} />
          {ticks.map((v) => (
            <g key={v}>
              <line class={v === 0 ? 'axis zero' : 'axis'} x1={LEFT} x2={width - 8} y1={y(v)} y2={y(v)} />
              <text class="tick" x={LEFT - 4} y={y(v) + 3} text-anchor="end">
                {v}
              </text>
            </g>
          ))}
          {b
            ? b.values.map((vals, i) => {
                let up = 0;
                let down = 0;
                return (
                  <g key={i}>
                    {vals.map((v, k) => {
                      if (v === 0) return null;
                      const from = v > 0 ? up : down;
                      const to = from + v;
                      if (v > 0) up = to;
                      else down = to;
                      return (
                        <rect
                          key={k}
                          class="bar"
                          x={LEFT + i * COL + 3}
                          width={COL - 6}
                          y={Math.min(y(from), y(to))}
                          height={Math.abs(y(from) - y(to))}
                          fill={COLORS[k % COLORS.length]}
                        >
                          <title>{`step ${i}: ${b.keys[k]} = ${v}`}</title>
                        </rect>
                      );
                    })}
                  </g>
                );
              })
            : null}
          <polyline class="ref-line" points={refPoints.filter((p) => p !== null).map((p) => `${p![0]},${p![1]}`).join(' ')} />
          {refPoints.map((p, i) =>
            p === null ? null : (
              <circle key={i} class={i === step ? 'ref-dot current' : 'ref-dot'} cx={p[0]} cy={p[1]} r={i === step ? 4.5 : 3}>
                <title>{`step ${i}: ref = ${chart.ref[i]}`}</title>
              </circle>
            ),
          )}
          {lockNames.map((name, li) => {
            const top = TOP + H + 8 + li * (BAND + 2);
            return (
              <g key={name}>
                <text class="tick" x={LEFT - 4} y={top + BAND - 4} text-anchor="end">
                  {name}
                </text>
                {locks.map((l, i) => {
                  const who = l.find(([k]) => k === name)?.[1] ?? '-';
                  if (who === '-') return null;
                  return (
                    <g key={i}>
                      <rect class="lock" x={LEFT + i * COL + 1} y={top} width={COL - 2} height={BAND} fill={colorOf(who)} />
                      <text class="lock-holder" x={LEFT + i * COL + COL / 2} y={top + BAND - 4} text-anchor="middle">
                        {who}
                      </text>
                    </g>
                  );
                })}
              </g>
            );
          })}
          {steps.map((_, i) => (
            <rect key={i} class="hit" x={LEFT + i * COL} y={0} width={COL} height={height} onClick={() => setStep(i)}>
              <title>{`step ${i}`}</title>
            </rect>
          ))}
        </svg>
      </div>
      <ul class="chart-legend">
        {chart.ref.some((r) => r !== null) ? (
          <li>
            <span class="line-swatch" /> ref
          </li>
        ) : null}
        {b?.keys.map((k, i) => (
          <li key={k}>
            <span class="swatch" style={{ background: COLORS[i % COLORS.length] }} /> {k}
          </li>
        ))}
      </ul>
    </figure>
  );
}
