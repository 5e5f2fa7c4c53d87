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

export interface MergeOptions<S, A extends Action> {
  /**
   * The enabled actions of the actor of `last`, in `s`, into `out[0..n)`,
   * returning n: a faster `model.actorActions(s, last.actor)`, for models
   * whose actions know their actor's index.
   */
  readonly follow?: (s: S, last: A, out: A[]) => number;
  /** At most this many steps in one transition (default 10 000). */
  readonly maxParts?: number;
}

export function mergeSections<S, A extends Action>(
  model: Model<S, A>,
  inSectionOf: (s: S, last: A) => boolean,
  options: MergeOptions<S, A> = {},
): Model<S, MergedAction<A>> {
  const { clone, apply } = model;
  const maxParts = options.maxParts ?? 10_000;
  const inSection = (s: S, actor: string, last: A) => inSectionOf(s, last);
  const copy = model.codec?.copy;
  if (clone !== undefined && apply !== undefined && copy !== undefined) {
    const follow =
      options.follow ??
      ((s: S, last: A, out: A[]) => {
        const acts = model.actorActions ? model.actorActions(s, last.actor) : model.actions(s).filter((b) => b.actor === last.actor);
        for (let i = 0; i < acts.length; i++) out[i] = acts[i];
        return acts.length;
      });
    return mergeInPlace(model, inSectionOf, follow, maxParts, clone.bind(model), apply.bind(model), copy.bind(model.codec));
  }
  // The successors computed by the last actions() call, by position: the explorer asks
  // for next(s, m) for each m of that list before calling actions() again. (A WeakMap
  // per merged action cost the garbage collector more than the lookups.)
  let lastActions: MergedAction<A>[] = [];
  let lastResults: S[] = [];

  const actorActions = (s: S, actor: string): readonly A[] =>
    model.actorActions ? model.actorActions(s, actor) : model.actions(s).filter((b) => b.actor === actor);

  const finish = (parts: A[], succ: S, out: MergedAction<A>[]): void => {
    out.push(mergedOf(parts));
    lastResults.push(succ);
  };

  /** Runs the chain on copies made by next(). */
  const extend = (s: S, parts: A[], out: MergedAction<A>[]): void => {
    const last = parts[parts.length - 1];
    const succ = model.next(s, last);
    if (inSection(succ, last.actor, last) && parts.length < maxParts) {
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
      if (!inSection(draft, last.actor, last) || parts.length >= maxParts) break;
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

/** A merged action for a chain of parts (a new object every time: see mergeInPlace for the interned ones). */
function mergedOf<A extends Action>(parts: A[]): MergedAction<A> {
  const first = parts[0];
  const last = parts[parts.length - 1];
  return {
    actor: first.actor,
    step: parts.length === 1 ? first.step : `${first.step}…${last.step}`,
    ...(first.source ? { source: first.source } : {}),
    parts,
  };
}

/** A node of the trie of chains: the merged action of the chain that ends here, and the chains that go on. */
interface ChainNode<A extends Action> {
  readonly parts: A[];
  /** The last part (the chain's last action). */
  readonly last: A;
  merged?: MergedAction<A>;
  next?: Map<A, ChainNode<A>>;
  /** The child looked up last, and its action: most chains go on the same way every time. */
  seen?: A;
  seenNode?: ChainNode<A>;
}

/**
 * mergeSections for a model that runs steps in place and whose codec copies
 * states (a shape codec): chains run on states of a pool reused by every
 * actions() call (copied, never allocated, except where a chain branches
 * for the first time), and a merged action is made once per chain (a trie by
 * the parts' action objects, which the model must reuse) so that the same
 * chain is the same object on every call. `apply(draft, m)` copies the
 * result the last actions() call computed for m; the same transitions, in
 * the same order, as the copying implementation.
 */
function mergeInPlace<S, A extends Action>(
  model: Model<S, A>,
  inSection: (s: S, last: A) => boolean,
  follow: (s: S, last: A, out: A[]) => number,
  maxParts: number,
  clone: (s: S) => S,
  apply: (d: S, a: A) => void,
  copy: (from: S, into: S) => void,
): Model<S, MergedAction<A>> {
  const pool: S[] = [];
  let used = 0;
  const take = (like: S): S => {
    if (used === pool.length) pool.push(clone(like));
    return pool[used++];
  };
  let roots = new Map<A, ChainNode<A>>();
  // A model that makes new action objects every time would grow the trie without end: start it again.
  let nodes = 0;
  const child = (map: Map<A, ChainNode<A>>, parts: A[], a: A): ChainNode<A> => {
    let n = map.get(a);
    if (n === undefined) {
      n = { parts: [...parts, a], last: a };
      map.set(a, n);
      nodes++;
    }
    return n;
  };
  /** The node after `node` by action `a` (its one-entry cache first). */
  const step = (node: ChainNode<A>, a: A): ChainNode<A> => {
    if (node.seen === a) return node.seenNode!;
    const n = child((node.next ??= new Map()), node.parts, a);
    node.seen = a;
    node.seenNode = n;
    return n;
  };
  /** The follow-up actions of a chain, one array per depth of branching (a branch runs before its chain goes on). */
  const mores: A[][] = [];

  let lastActions: MergedAction<A>[] = [];
  let lastResults: S[] = [];

  /** Collects the chains' ends for actions(). */
  const record = (m: MergedAction<A>, d: S): void => {
    lastActions.push(m);
    lastResults.push(d);
  };

  /**
   * Runs the chain that starts at `node` (its last part not yet applied to
   * `d`), and hands every merged action it ends in, with its result, to `end`.
   */
  const run = (d: S, node: ChainNode<A>, end: (m: MergedAction<A>, d: S) => void, depth: number): void => {
    const more = (mores[depth] ??= []);
    for (;;) {
      const last = node.last;
      apply(d, last);
      if (!inSection(d, last) || node.parts.length >= maxParts) break;
      const n = follow(d, last, more);
      if (n === 0) break;
      // Other branches first, as the copying implementation orders them.
      for (let i = 1; i < n; i++) {
        const b = take(d);
        copy(d, b);
        run(b, step(node, more[i]), end, depth + 1);
      }
      node = step(node, more[0]);
    }
    end((node.merged ??= mergedOf(node.parts)), d);
  };

  /** Every chain from `s`, in the order of the model's actions; with `consume`, the last one run on `s` itself (no copy). */
  const chains = (s: S, end: (m: MergedAction<A>, d: S) => void, consume = false): void => {
    used = 0;
    if (nodes > 1_000_000) {
      roots = new Map();
      nodes = 0;
    }
    const acts = model.actions(s);
    const last = acts.length - 1;
    for (let k = 0; k <= last; k++) {
      let d = s;
      if (!consume || k < last) {
        d = take(s);
        copy(s, d);
      }
      run(d, child(roots, [], acts[k]), end, 0);
    }
  };

  const at = (m: MergedAction<A>): number => {
    const i = lastActions.indexOf(m);
    return i;
  };

  return {
    name: `${model.name}+merged`,
    initialStates: () => model.initialStates(),
    actions: (s) => {
      lastActions = [];
      lastResults = [];
      chains(s, record);
      return lastActions;
    },
    successors: (s, emit, consume) => {
      // The pool is about to be reused: what the last actions() call computed is gone.
      lastActions = [];
      lastResults = [];
      chains(s, emit, consume === true);
    },
    next: (s, m) => {
      const i = at(m);
      if (i >= 0) return clone(lastResults[i]);
      const d = clone(s);
      for (const p of m.parts) apply(d, p);
      return d;
    },
    clone,
    apply: (d, m) => {
      const i = at(m);
      if (i >= 0) copy(lastResults[i], d);
      else for (const p of m.parts) apply(d, p);
    },
    key: (s) => model.key(s),
    ...(model.codec ? { codec: model.codec } : {}),
    properties: model.properties,
    ...(model.steps ? { steps: model.steps } : {}),
  };
}
