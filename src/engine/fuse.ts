/**
 * Merging lock sections into single transitions (a reduction).
 *
 * When locks really exclude, the steps a process takes while it holds a lock
 * can be run back to back as one transition: no other process can enter the
 * section meanwhile, so the interleavings this drops only reorder steps that
 * touch data the section protects. (Unlocked accesses made by other processes
 * to the same data are the exception; a model must only ask for merging where
 * it has none that matter, and a test must show the verdicts do not change.)
 *
 * `mergeSections(model, inSection)` returns a model whose transitions run an
 * action and then, while its actor is still inside a section, that actor's
 * following actions. A choice inside a section (e.g. a read that may return
 * several values) gives one merged transition per choice. The merged action
 * keeps its parts, so traces and coverage still show every step.
 */
import type { Action, Model } from './model.js';

export interface MergedAction<A extends Action> extends Action {
  readonly parts: readonly A[];
}

export function mergeSections<S, A extends Action>(
  model: Model<S, A>,
  inSection: (s: S, actor: string) => boolean,
  maxParts = 10_000,
): Model<S, MergedAction<A>> {
  // The successors computed by the last actions() call, by position: the explorer asks
  // for next(s, m) for each m of that list before calling actions() again. (A WeakMap
  // per merged action cost the garbage collector more than the lookups.)
  let lastActions: MergedAction<A>[] = [];
  let lastResults: S[] = [];

  const actorActions = (s: S, actor: string): readonly A[] =>
    model.actorActions ? model.actorActions(s, actor) : model.actions(s).filter((b) => b.actor === actor);

  const finish = (parts: A[], succ: S, out: MergedAction<A>[]): void => {
    const first = parts[0];
    const last = parts[parts.length - 1];
    const merged: MergedAction<A> = {
      actor: first.actor,
      step: parts.length === 1 ? first.step : `${first.step}…${last.step}`,
      ...(first.source ? { source: first.source } : {}),
      parts,
    };
    out.push(merged);
    lastResults.push(succ);
  };

  /** Runs the chain on copies made by next(). */
  const extend = (s: S, parts: A[], out: MergedAction<A>[]): void => {
    const last = parts[parts.length - 1];
    const succ = model.next(s, last);
    if (inSection(succ, last.actor) && parts.length < maxParts) {
      const more = actorActions(succ, last.actor);
      if (more.length > 0) {
        for (const b of more) extend(succ, [...parts, b], out);
        return;
      }
    }
    finish(parts, succ, out);
  };

  /** Runs the chain in place on one copy, copying again only where the chain branches. */
  const extendInPlace = (draft: S, parts: A[], out: MergedAction<A>[], clone: (s: S) => S, apply: (d: S, a: A) => void): void => {
    for (;;) {
      const last = parts[parts.length - 1];
      apply(draft, last);
      if (!inSection(draft, last.actor) || parts.length >= maxParts) break;
      const more = actorActions(draft, last.actor);
      if (more.length === 0) break;
      if (more.length > 1) {
        for (let i = 1; i < more.length; i++) extendInPlace(clone(draft), [...parts, more[i]], out, clone, apply);
      }
      parts.push(more[0]);
    }
    finish(parts, draft, out);
  };

  return {
    name: `${model.name}+merged`,
    initialStates: () => model.initialStates(),
    actions: (s) => {
      const out: MergedAction<A>[] = [];
      lastActions = out;
      lastResults = [];
      const { clone, apply } = model;
      for (const a of model.actions(s)) {
        if (clone && apply) extendInPlace(clone(s), [a], out, clone.bind(model), apply.bind(model));
        else extend(s, [a], out);
      }
      return out;
    },
    next: (s, m) => {
      const at = lastActions.indexOf(m);
      if (at >= 0) return lastResults[at];
      let cur = s;
      for (const p of m.parts) cur = model.next(cur, p);
      return cur;
    },
    key: (s) => model.key(s),
    ...(model.codec ? { codec: model.codec } : {}),
    properties: model.properties,
    ...(model.steps ? { steps: model.steps } : {}),
  };
}
