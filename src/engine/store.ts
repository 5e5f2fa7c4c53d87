/**
 * The visited set of a breadth-first exploration: canonical key -> state id,
 * plus per state the parent link and the index of the action (in the parent's
 * ordered action list) that first reached it. States themselves are not kept:
 * a trace is rebuilt by replaying actions from an initial state.
 */
export class StateStore {
  private readonly ids = new Map<string, number>();
  private readonly keyOf: string[] = [];
  private parentOf = new Int32Array(1024);
  /** For a root: its index among the initial states; otherwise the action index. */
  private actionOf = new Int32Array(1024);

  get size(): number {
    return this.keyOf.length;
  }

  idOf(key: string): number | undefined {
    return this.ids.get(key);
  }

  /** Adds a state; `parent` is -1 for an initial state. Returns the new id. */
  add(key: string, parent: number, action: number): number {
    const id = this.keyOf.length;
    if (id === this.parentOf.length) this.grow();
    this.ids.set(key, id);
    this.keyOf.push(key);
    this.parentOf[id] = parent;
    this.actionOf[id] = action;
    return id;
  }

  key(id: number): string {
    return this.keyOf[id];
  }

  parent(id: number): number {
    return this.parentOf[id];
  }

  action(id: number): number {
    return this.actionOf[id];
  }

  /** Ids from the root to `id`, inclusive. */
  pathTo(id: number): number[] {
    const path: number[] = [];
    for (let cur = id; cur !== -1; cur = this.parentOf[cur]) path.push(cur);
    return path.reverse();
  }

  private grow(): void {
    const n = this.parentOf.length * 2;
    const p = new Int32Array(n);
    p.set(this.parentOf);
    this.parentOf = p;
    const a = new Int32Array(n);
    a.set(this.actionOf);
    this.actionOf = a;
  }
}
