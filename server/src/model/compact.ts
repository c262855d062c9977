/**
 * Exact-length copies of the arrays of a freshly built tree of plain data. V8 gives an array filled by `push`
 * room for 16 more elements (an array of one entry takes 152 bytes instead of 24), and never gives it back: a
 * long-lived fact of the index would keep that slack for the life of the server.
 */
export function compactArrays<T>(root: T): T {
  return visit(root, new Map()) as T;
}

/**
 * An exact-length copy of a list filled by `push` or `filter`, for a list kept past the computation that made it
 * (a per-app memo): it drops the room for 16 more entries that V8 left it.
 */
export function exact<T>(list: readonly T[]): T[] {
  return list.slice();
}

function visit(value: unknown, done: Map<object, unknown>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const seen = done.get(value);
  if (seen !== undefined) return seen;
  if (Array.isArray(value)) {
    const copy = value.slice();
    done.set(value, copy);
    for (let i = 0; i < copy.length; i++) copy[i] = visit(copy[i], done);
    return copy;
  }
  const proto = Object.getPrototypeOf(value);
  done.set(value, value);
  // Class instances, Maps and Sets keep their own layout; frozen data (shared constants) is never rewritten.
  if ((proto !== Object.prototype && proto !== null) || Object.isFrozen(value)) return value;
  const obj = value as Record<string, unknown>;
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    if (typeof v !== 'object' || v === null) continue;
    const c = visit(v, done);
    if (c !== v) obj[k] = c;
  }
  return value;
}
