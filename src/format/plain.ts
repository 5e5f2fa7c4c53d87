/** Making values JSON-safe (for --json and for results sent between processes). */

/** A value made JSON-safe: Maps become objects (or entry lists), Sets arrays, bigints strings, errors plain objects. */
export function toPlain(v: unknown, seen: Set<unknown> = new Set()): unknown {
  if (v === undefined) return null;
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'function' || typeof v === 'symbol') return String(v);
  if (seen.has(v)) return '(cycle)';
  seen.add(v);
  try {
    if (v instanceof Error) return serialiseError(v, seen);
    if (Array.isArray(v)) return v.map((x) => toPlain(x, seen));
    if (v instanceof Set) return [...v].map((x) => toPlain(x, seen));
    if (v instanceof Map) {
      const keys = [...v.keys()];
      return keys.every((k) => typeof k === 'string')
        ? Object.fromEntries([...v].map(([k, x]) => [k, toPlain(x, seen)]))
        : [...v].map(([k, x]) => [toPlain(k, seen), toPlain(x, seen)]);
    }
    return Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, toPlain(x, seen)]));
  } finally {
    seen.delete(v);
  }
}

/** An Error as data: name, message, and its own fields (code, position, ...); never the stack. */
function serialiseError(e: Error, seen: Set<unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { name: e.name, message: e.message };
  for (const [k, x] of Object.entries(e)) if (k !== 'stack') out[k] = toPlain(x, seen);
  return out;
}

