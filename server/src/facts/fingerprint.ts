/**
 * A canonical text of a derived fact's value, to tell whether recomputing it changed anything ("early cutoff", as in
 * salsa): the engine does not re-run the rules that read a derived fact whose inputs changed but whose value did not.
 * Apps stand for their id (an app re-derived with the same facts is the same app to a rule), a parsed file for its
 * identity (the index keeps it while the file does not change), maps and sets for their entries in order; functions
 * and accessors are skipped, and an object met twice is written as a back-reference (cycles are fine).
 */
import type { App } from '../model/types';

const isApp = (v: object): v is App => 'replicaKey' in v && 'envFiles' in v && 'dir' in v && 'id' in v;
/** A parsed file (it holds its text): the index keeps the object while the file does not change. */
const isParsedFile = (v: object): boolean => typeof (v as { text?: unknown }).text === 'string' && typeof (v as { file?: unknown }).file === 'string';
const ids = new WeakMap<object, number>();
let nextId = 0;
function idOf(o: object): number {
  let id = ids.get(o);
  if (id === undefined) ids.set(o, (id = nextId++));
  return id;
}

export function fingerprint(value: unknown): string {
  const seen = new Map<object, number>();
  let out = '';
  const walk = (v: unknown): void => {
    if (v === null || v === undefined) {
      out += String(v);
      return;
    }
    switch (typeof v) {
      case 'string':
        out += JSON.stringify(v);
        return;
      case 'number':
      case 'boolean':
      case 'bigint':
        out += String(v);
        return;
      case 'function':
      case 'symbol':
        out += 'ƒ';
        return;
    }
    const o = v as object;
    if (isApp(o)) {
      out += `@${JSON.stringify(o.id)}`;
      return;
    }
    if (isParsedFile(o)) {
      out += `F${idOf(o)}`;
      return;
    }
    const ref = seen.get(o);
    if (ref !== undefined) {
      out += `#${ref}`;
      return;
    }
    seen.set(o, seen.size);
    if (o instanceof Map) {
      out += 'M{';
      for (const [k, x] of o) {
        walk(k);
        out += ':';
        walk(x);
        out += ',';
      }
      out += '}';
    } else if (o instanceof Set || Array.isArray(o)) {
      out += '[';
      for (const x of o) {
        walk(x);
        out += ',';
      }
      out += ']';
    } else {
      out += '{';
      for (const k of Object.keys(o)) {
        // (accessors compute from the other fields: a message text, a label)
        if (Object.getOwnPropertyDescriptor(o, k)?.get) continue;
        out += k + ':';
        walk((o as Record<string, unknown>)[k]);
        out += ',';
      }
      out += '}';
    }
  };
  walk(value);
  return flat(out);
}

/**
 * The same string, flattened: V8 keeps a string built by many `+=` as a tree of its pieces (a rope), which every
 * later join or comparison walks again; reading a character flattens it in place, once. Fingerprints and
 * signatures kept from one edit to the next are flattened (a signature of 2,000 kept ropes took 11 ms to join).
 */
export function flat(s: string): string {
  s.charCodeAt(0);
  return s;
}
