/**
 * Progress at quiescence: which actors of a dialog model wait for a lock in a
 * state where no action is enabled (the NoDeadlock property of
 * invariants/dialog.ts reads this; model.ts hands it over).
 *
 * In a quiescent state (no action enabled, no process aborted) every actor is
 * in exactly one of these situations, told apart by its next instruction:
 * - finished: its pc is past its last instruction (it returned);
 * - idle: the cyclic timer routine T at its first step T0.TL+ with nothing due
 *   (the step's `when` is false: no linked tl, so _get_gen_expired_dlgs would
 *   find nothing; T runs again every second and finds nothing again);
 * - never started: a BYE-reply actor B<leg> at B0 whose BYE was never sent
 *   (B0 waits for the mark of its BYE's sending: no reply can come for a
 *   request never sent);
 * - held back: an actor whose next step is behind a scenario gate on a
 *   milestone not reached (`ScenarioDef.gates`): in a quiescent state nothing
 *   can reach it any more, so the event the gate stands for does not happen in
 *   this run (e.g. the INVITE transaction deleted only after a 2xx that O did
 *   not relay);
 * - waiting: its next step acquires a lock (its gate and `when`, if any, being
 *   satisfied). The state is quiescent, so that acquire is not enabled (the
 *   lock is not free and no EINTR entry is left) and nothing will ever free
 *   the lock: this actor waits forever. That is a deadlock.
 * A step of any other kind (a read, a write, a touch, a local step) is always
 * enabled, so an actor at such a step makes the state non-quiescent.
 * A state in which a process aborted ('bogus ref', or a crash in a walk of
 * the timer list: OpenSIPS shuts down, and the model enables nothing) is not a
 * deadlock; the property skips it.
 *
 * Which lock an acquire waits for is the model's to say (`lockOf`): with
 * several hash buckets, H is the lock of the bucket the process computed.
 */
import { holderNames, type LockState } from '../../src/memory/locks.js';
import { marked, type Instr, type Program, type Tables } from './program.js';
import type { DialogState, Locals } from './state.js';

/** A function from a quiescent state to a description of each actor waiting for a lock there (empty: none). */
export type Waiting = (s: DialogState) => string[];

export function waitingActors(
  progs: readonly Program[],
  gates: Readonly<Record<string, string>>,
  t: Tables,
  lockOf: (s: DialogState, ins: Instr, l: Locals) => LockState,
): Waiting {
  return (s) => {
    const out: string[] = [];
    progs.forEach((p, i) => {
      const a = s.actors[i];
      const ins = p.instrs[a.pc];
      if (a.pc < 0 || ins === undefined || ins.acquire === undefined) return; // finished, aborted, or not at an acquire
      const gate = gates[`${p.actor}:${ins.id}`];
      if (gate !== undefined && !marked(t, s.ghost, gate)) return; // held back by a gate
      if (ins.waitFor !== undefined && !marked(t, s.ghost, ins.waitFor)) return; // never started (B0)
      if (ins.when && !ins.when(s, a)) return; // idle (T0)
      const l = lockOf(s, ins, a.loc);
      const where = `${ins.src.file}:${ins.src.line}`;
      const lock = ins.acquire === 'H' && (t.buckets ?? 1) > 1 ? `H(${s.locks.H.indexOf(l)})` : ins.acquire;
      out.push(`${p.actor} waits at ${ins.id} (${where}) for ${lock} (value ${l.v}, held by [${holderNames(l, t.actors).join(', ')}])`);
    });
    return out;
  };
}
