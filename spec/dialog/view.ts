/**
 * A readable view of a dialog state, for traces: names instead of encodings,
 * only what a reader follows (cell fields, list membership, locks, reference
 * holders, each actor's next step, the ghost counters that are not zero).
 */
import { holderNames } from '../../src/memory/locks.js';
import { latest, writes } from '../../src/memory/views.js';
import { actorAt, bogusText, holdersOf, stepAt, type DialogNames } from './model.js';
import { ABORTED, PTR_NAMES, STATE_NAMES, TIMEOUT_NAMES, type DialogState } from './state.js';

export function stateView(names: DialogNames, s: DialogState): Record<string, unknown> {
  const tl = `${PTR_NAMES[latest(s.mem, 'tlNext')]}/${PTR_NAMES[latest(s.mem, 'tlPrev')]}/${TIMEOUT_NAMES[latest(s.mem, 'tlTimeout')]}`;
  const holders: Record<string, number> = {};
  for (const [k, n] of holdersOf(names, s).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) holders[k] = n;
  const view: Record<string, unknown> = {
    state: STATE_NAMES[latest(s.mem, 'state')],
    ref: latest(s.mem, 'ref'),
    holders,
    tl,
    inTimerList: s.inList,
    inHash: s.linked,
    H: holderNames(s.locks.H, names.actors).join(',') || '-',
    TL: holderNames(s.locks.TL, names.actors).join(',') || '-',
  };
  if (s.mem.len.state > 1) view.stateWrites = writes(s.mem, 'state').map((v) => STATE_NAMES[v]).join(',');
  names.programs.forEach((p, i) => {
    const pc = s.actors[i].pc;
    view[`pc.${p.actor}`] = pc === ABORTED ? 'aborted' : pc >= p.instrs.length ? 'done' : p.instrs[pc].id;
  });
  const g = s.ghost;
  if (g.frees) view.frees = g.frees;
  if (g.uaf) view.useAfterFree = stepAt(names, g.uaf);
  if (g.bogus) view.bogus = bogusText(names, s);
  if (g.deletedBy) view.deletedBy = actorAt(names, g.deletedBy);
  if (g.dbDeletes) view.dbDeletes = g.dbDeletes;
  if (g.termCallbacks) view.termCallbacks = g.termCallbacks;
  if (g.byesSent) view.byesSent = g.byesSent;
  if (g.byesAfterDelete) view.byesAfterDelete = g.byesAfterDelete;
  if (s.locks.H.v > 1) view['H.sem'] = s.locks.H.v;
  return view;
}
