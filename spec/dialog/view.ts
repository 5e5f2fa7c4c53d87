/**
 * A readable view of a dialog state, for traces: names instead of encodings,
 * only what a reader follows (cell fields, list membership, locks, reference
 * holders, each actor's next step, the ghost counters that are not zero).
 *
 * In a model of one dialog the view is flat (state, ref, holders, tl, ...).
 * In the model of several cells it has one entry per cell (`cell0`, ...:
 * which dialog lives there and its fields), the timer list from its
 * sentinel, one per bucket lock (`H0`, ...), and one per dialog (`dialog0`,
 * ...: its holders and ghost counters), so that a trace's changes say which
 * cell, and through it which dialog, each step reached.
 *
 * A lock is shown by its holders, with its value when they do not imply it
 * (`O[word=0]` for a fast lock, `W[sem=1]` for a semaphore: after an
 * interrupted sem_wait, or a release by a process that was not inside, the
 * next acquire no longer waits for the process that is; locks.ts's
 * valueUnlike). A release by a process not inside thus shows as a change of
 * the lock's text in that process's step (`H: O -> O[word=0]`). HASBYE is
 * shown once set.
 */
import { holderNames, valueUnlike, type LockState } from '../../src/memory/locks.js';
import { latest, writes } from '../../src/memory/views.js';
import { actorAt, bogusText, holdersOf, stepAt, walkText, type DialogNames } from './model.js';
import { ABORTED, PTR_NAMES, STATE_NAMES, TIMEOUT_NAMES, ptrName, type DialogState } from './state.js';

export function stateView(names: DialogNames, s: DialogState): Record<string, unknown> {
  if (names.multi) return multiView(names, s);
  const c = s.cells[0];
  const tl = `${PTR_NAMES[latest(c.mem, 'tlNext')]}/${PTR_NAMES[latest(c.mem, 'tlPrev')]}/${TIMEOUT_NAMES[latest(c.mem, 'tlTimeout')]}`;
  const holders: Record<string, number> = {};
  for (const [k, n] of holdersOf(names, s).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) holders[k] = n;
  const view: Record<string, unknown> = {
    state: STATE_NAMES[latest(c.mem, 'state')],
    ref: latest(c.mem, 'ref'),
    holders,
    tl,
    inTimerList: c.inList,
    inHash: c.linked,
    H: lockText(names, s.locks.H[0]),
    TL: lockText(names, s.locks.TL),
  };
  if (latest(c.mem, 'hasBye')) view.hasBye = true;
  if (c.mem.len.state > 1) view.stateWrites = writes(c.mem, 'state').map((v) => STATE_NAMES[v]).join(',');
  pcs(names, s, view);
  const g = s.ghost.dialogs[0];
  if (g.frees) view.frees = g.frees;
  if (g.uaf) view.useAfterFree = stepAt(names, g.uaf);
  if (s.ghost.bogus) view.bogus = bogusText(names, s);
  if (g.deletedBy) view.deletedBy = actorAt(names, g.deletedBy);
  if (g.dbDeletes) view.dbDeletes = g.dbDeletes;
  if (g.termCallbacks) view.termCallbacks = g.termCallbacks;
  if (g.byesSent) view.byesSent = g.byesSent;
  if (g.byesAfterDelete) view.byesAfterDelete = g.byesAfterDelete;
  return view;
}

/**
 * A lock as shown: its holders ('-' for none), and its value where they do not imply it (locks.ts's
 * valueUnlike): "O[word=0]" (a fast lock's word), "W[sem=1]", "-[sem=2]" (a semaphore's value).
 */
function lockText(names: DialogNames, l: LockState): string {
  const holders = holderNames(l, names.actors).join(',') || '-';
  return valueUnlike(names.lock, l) ? `${holders}[${names.lock === 'posix-sem' ? 'sem' : 'word'}=${l.v}]` : holders;
}

function pcs(names: DialogNames, s: DialogState, view: Record<string, unknown>): void {
  names.programs.forEach((p, i) => {
    const pc = s.actors[i].pc;
    view[`pc.${p.actor}`] = pc === ABORTED ? 'aborted' : pc >= p.instrs.length ? 'done' : p.instrs[pc].id;
  });
}

/** The timer list from its sentinel, following next (at most one turn per node): "first>tl1>tl0>first". */
function listText(s: DialogState): string {
  const out = ['first'];
  let p = s.first.next;
  for (let n = 0; n <= s.cells.length; n++) {
    out.push(ptrName(p));
    const k = p - 3;
    if (k < 0 || k >= s.cells.length) break;
    p = latest(s.cells[k].mem, 'tlNext');
  }
  return out.join('>');
}

function multiView(names: DialogNames, s: DialogState): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  s.cells.forEach((c, k) => {
    const g = s.ghost.dialogs[c.dlg];
    const cell: Record<string, unknown> = {
      dialog: g.frees > 0 ? `${c.dlg} (freed)` : c.dlg,
      state: STATE_NAMES[latest(c.mem, 'state')],
      ref: latest(c.mem, 'ref'),
      tl: `${ptrName(latest(c.mem, 'tlNext'))}/${ptrName(latest(c.mem, 'tlPrev'))}/${TIMEOUT_NAMES[latest(c.mem, 'tlTimeout')]}`,
      inTimerList: c.inList,
      inHash: c.linked,
      bucket: c.h,
    };
    if (latest(c.mem, 'hasBye')) cell.hasBye = true;
    if (c.mem.len.state > 1) cell.stateWrites = writes(c.mem, 'state').map((v) => STATE_NAMES[v]).join(',');
    view[`cell${k}`] = cell;
  });
  view.timerList = listText(s);
  s.locks.H.forEach((h, b) => {
    view[`H${b}`] = lockText(names, h);
  });
  view.TL = lockText(names, s.locks.TL);
  pcs(names, s, view);
  // Which dialog each process's pointer names (when it is not dialog 0).
  names.programs.forEach((p, i) => {
    const d = s.actors[i].loc.dlg;
    if (d !== 0) view[`dlg.${p.actor}`] = d;
  });
  s.ghost.dialogs.forEach((g, d) => {
    if (!g.born) return;
    const holders: Record<string, number> = {};
    for (const [k, n] of holdersOf(names, s, d).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) holders[k] = n;
    const v: Record<string, unknown> = { cell: g.cell, bucket: g.bucket, holders };
    if (g.frees) v.frees = g.frees;
    if (g.uaf) v.useAfterFree = `${stepAt(names, g.uaf)}${g.uafInto ? ` (reached dialog ${g.uafInto - 1})` : ''}`;
    if (g.deletedBy) v.deletedBy = actorAt(names, g.deletedBy);
    if (g.dbDeletes) v.dbDeletes = g.dbDeletes;
    if (g.termCallbacks) v.termCallbacks = g.termCallbacks;
    if (g.byesSent) v.byesSent = g.byesSent;
    if (g.byesAfterDelete) v.byesAfterDelete = g.byesAfterDelete;
    view[`dialog${d}`] = v;
  });
  if (s.ghost.bogus) view.bogus = bogusText(names, s);
  if (s.ghost.walk) view.crash = walkText(names, s);
  return view;
}
