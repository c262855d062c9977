/**
 * Which facts a rule reads, checked: while a rule runs with fact checking on (CROSSWIRE_CHECK_FACTS=1, which
 * `npm test` sets), reading a fact it did not declare throws, the way salsa records the reads of a query. The
 * engine's incremental re-runs rely on the declarations, so an undeclared read is a stale-findings bug waiting.
 * With checking off (the default for users) nothing is recorded and nothing costs.
 */
import type { App, WorkspaceView } from '../model/types';
import type { AppFact, DerivedFact, FactName } from '../model/rule';
import { CARRIED, inputsOf } from './registry';

export class UndeclaredFactError extends Error {}

interface Scope {
  who: string;
  facts: ReadonlySet<FactName>;
  /** The apps whose app facts may be read (undefined: any app). */
  apps?: ReadonlySet<App>;
}

let checkingOn = process.env.CROSSWIRE_CHECK_FACTS === '1' || process.env.CROSSWIRE_CHECK_FACTS === 'list';
/** CROSSWIRE_CHECK_FACTS=list: undeclared reads are listed on stderr at exit instead of thrown (to fix declarations in one go). */
const listOnly = process.env.CROSSWIRE_CHECK_FACTS === 'list';
const listed = new Set<string>();
if (listOnly) process.on('exit', () => listed.forEach((m) => process.stderr.write(`${m}\n`)));

function fail(message: string): void {
  if (listOnly) listed.add(message);
  else throw new UndeclaredFactError(message);
}
let scope: Scope | undefined;

export function checking(): boolean {
  return checkingOn;
}

/** For tests: turns fact checking on or off (returns the previous setting). */
export function setChecking(on: boolean): boolean {
  const was = checkingOn;
  checkingOn = on;
  return was;
}

/** Records a read of a fact (of an app, for app facts); throws when the running rule did not declare it. */
export function read(fact: FactName, app?: App): void {
  const s = scope;
  if (!s) return;
  if (!s.facts.has(fact)) {
    fail(`${s.who} read the fact "${fact}" without declaring it`);
    return;
  }
  if (app && s.apps && !s.apps.has(app))
    fail(`${s.who} read "${fact}" of another app than the one(s) it judges: read it through a derived fact (model/rule.ts DerivedFact)`);
}

/** Runs `fn` as `who`, allowed to read `facts` (of `apps` only, when given); no-op scope when checking is off. */
export function within<T>(who: string, facts: ReadonlySet<FactName>, apps: ReadonlySet<App> | undefined, fn: () => T): T {
  if (!checkingOn) return fn();
  const prev = scope;
  scope = { who, facts, apps };
  try {
    return fn();
  } finally {
    scope = prev;
  }
}

const rawOf = new WeakMap<object, WorkspaceView>();

/** Per index and derived fact: its last value, and how it is computed (so that the engine can evaluate it by name). */
const memos = new WeakMap<
  WorkspaceView,
  Map<
    DerivedFact,
    {
      key: readonly unknown[];
      value: unknown;
      compute: (index: WorkspaceView) => unknown;
      stillValid?: (value: never) => boolean;
      /** The pass in which `stillValid` last said yes. */
      validIn?: number;
    }
  >
>();

/**
 * The engine's pass in progress (0: none). Within one pass no file changes, so a `stillValid` check that said yes
 * need not run again in that pass (outside passes it runs on every read).
 */
let pass = 0;
let passes = 0;
/** How many passes the engine has made: a value computed after pass n is out of date once this is past n. */
export function passCount(): number {
  return passes;
}
export function inPass<T>(fn: () => T): T {
  const prev = pass;
  pass = ++passes;
  try {
    return fn();
  } finally {
    pass = prev;
  }
}

/** The index behind a checked view (see checkedView). */
export function raw(index: WorkspaceView): WorkspaceView {
  return rawOf.get(index) ?? index;
}

/**
 * A fact computed from every app's facts, once per state of the workspace and shared by every rule that reads it.
 * Recomputed when the apps or the workspace files changed (the engine re-runs the rules that declared it then), or
 * when `stillValid` says the value is out of date (a fact that reads files outside apps).
 */
export function derived<T>(name: DerivedFact, index: WorkspaceView, compute: (index: WorkspaceView) => T, stillValid?: (value: T) => boolean): T {
  read(name);
  const ix = raw(index);
  let m = memos.get(ix);
  if (!m) memos.set(ix, (m = new Map()));
  const hit = m.get(name);
  // (called per app by helpers such as machineOf: the key is compared without building it)
  if (hit && sameKey(hit.key, ix)) {
    if (!stillValid || (pass !== 0 && hit.validIn === pass)) return hit.value as T;
    if (stillValid(hit.value as T)) {
      hit.validIn = pass;
      return hit.value as T;
    }
  }
  const key = keyOf(ix);
  const value = scope ? within(`${scope.who} (through ${name})`, inputsOf(name), undefined, () => compute(index)) : compute(index);
  m.set(name, { key, value, compute, stillValid, validIn: pass });
  return value;
}

function keyOf(ix: WorkspaceView): readonly unknown[] {
  return [ix.apps, ix.composeFiles, ix.postgresConfs, ix.monorepoRoots, ix.config];
}

/** keyOf(ix) equals `key`. */
function sameKey(key: readonly unknown[], ix: WorkspaceView): boolean {
  return key[0] === ix.apps && key[1] === ix.composeFiles && key[2] === ix.postgresConfs && key[3] === ix.monorepoRoots && key[4] === ix.config;
}

/**
 * Keeps a derived fact's value for the new state of the index when the engine found that none of its inputs changed
 * since the state `prevApps` belongs to (the value must have been computed in that state), for the facts listed in
 * registry.ts CARRIED. Its `stillValid` check (files read outside apps) still applies when it is read.
 */
export function carry(name: DerivedFact, index: WorkspaceView, prevApps: readonly App[]): void {
  if (!CARRIED.has(name)) return;
  const ix = raw(index);
  const hit = memos.get(ix)?.get(name);
  if (!hit || hit.key[0] !== prevApps) return;
  const key = keyOf(ix);
  if (hit.key.every((k, i) => i === 0 || k === key[i])) hit.key = key;
}

/** Marks a derived fact without early cutoff: its value is a cache filled on demand, or too large to compare cheaply. */
const lazy = new Set<DerivedFact>();
export function lazyDerived(name: DerivedFact): void {
  lazy.add(name);
}

/** A fingerprint, or a signature's parts (compared part by part: parts kept per object compare by reference first). */
export type Print = string | readonly string[];

const signatures = new Map<DerivedFact, (value: never) => Print>();
/**
 * A cheaper text of a derived fact's value for the early cutoff than its whole fingerprint: what rules read of it,
 * as parts (one per app, file or site) that are compared one by one, never joined.
 */
export function derivedSignature<T>(name: DerivedFact, signature: (value: T) => Print): void {
  signatures.set(name, signature as (value: never) => Print);
}
export function signatureOf(name: DerivedFact): ((value: unknown) => Print) | undefined {
  return signatures.get(name) as ((value: unknown) => Print) | undefined;
}

/** Whether two prints are the same. */
export function samePrint(a: Print | undefined, b: Print | undefined): boolean {
  if (typeof a === 'string' || typeof b === 'string' || !a || !b) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The current value of a derived fact, for the engine's early cutoff; undefined when no rule computed it yet (its
 * code has not run) or when its value is a lazily filled cache.
 */
export function evaluate(name: DerivedFact, index: WorkspaceView): { value: unknown } | undefined {
  // Without fact checking rules call the index's runs() directly (kept by the index while the scripts that start
  // servers are the same): its value, not "unknown", so that an edit of a port alone does not count as a change of runs.
  if (name === 'runs' && !checkingOn) return { value: raw(index).runs() };
  const c = memos.get(raw(index))?.get(name);
  if (!c || lazy.has(name)) return undefined;
  const prev = scope;
  scope = undefined;
  try {
    return { value: derived(name, index, c.compute, c.stillValid as ((value: unknown) => boolean) | undefined) };
  } finally {
    scope = prev;
  }
}

/**
 * The value a derived fact had in the state `prevApps` belongs to, while its memo still holds it (before the first
 * read in the new state replaces it); undefined when it was not computed there or is a lazily filled cache. The
 * engine fingerprints it when it has no fingerprint of that state yet (the first edit after a full run).
 */
export function previous(name: DerivedFact, index: WorkspaceView, prevApps: readonly App[]): { value: unknown } | undefined {
  const c = memos.get(raw(index))?.get(name);
  if (!c || lazy.has(name) || c.key[0] !== prevApps) return undefined;
  return { value: c.value };
}

const parts = new Map<DerivedFact, (value: never, app: App) => unknown>();
/**
 * Declares the part of a derived fact's value that is about one app (what a rule that lists the fact in `ownParts`
 * reads of it), for the engine's re-runs app by app. Two parts are the same when they are the same object, or arrays
 * of the same objects in the same order: the fact must hand out the same objects for what did not change.
 */
export function derivedPart<T>(name: DerivedFact, part: (value: T, app: App) => unknown): void {
  parts.set(name, part as (value: never, app: App) => unknown);
}
export function partOf(name: DerivedFact): ((value: unknown, app: App) => unknown) | undefined {
  return parts.get(name) as ((value: unknown, app: App) => unknown) | undefined;
}

const keyed = new Map<DerivedFact, (before: never, now: never) => ReadonlySet<string> | undefined>();
/**
 * Declares a derived fact read key by key: its value hands out what a rule asks for through accessors that call
 * readKey(name, key), and `changed(before, now)` gives the keys whose answers differ between two values (undefined when
 * it cannot tell). A rule that lists the fact in `ownParts` then runs again only for the apps whose last check read
 * one of those keys (engine/parts.ts), not over every app.
 */
export function derivedKeys<T>(name: DerivedFact, changed: (before: T, now: T) => ReadonlySet<string> | undefined): void {
  keyed.set(name, changed as (before: never, now: never) => ReadonlySet<string> | undefined);
}
export function keysChangedOf(name: DerivedFact): ((before: unknown, now: unknown) => ReadonlySet<string> | undefined) | undefined {
  return keyed.get(name) as ((before: unknown, now: unknown) => ReadonlySet<string> | undefined) | undefined;
}
export function isKeyed(name: DerivedFact): boolean {
  return keyed.has(name);
}

/** The keys of keyed facts read while a check runs (recordingKeys), as `fact\0key`. */
let recorder: Set<string> | undefined;
export function readKey(name: DerivedFact, key: string): void {
  recorder?.add(`${name}\0${key}`);
}
/** Runs `fn`, adding to `into` every key of a keyed fact it reads. */
export function recordingKeys<R>(into: Set<string>, fn: () => R): R {
  const prev = recorder;
  recorder = into;
  try {
    return fn();
  } finally {
    recorder = prev;
  }
}

/**
 * A derived fact's value in the current state of the index, computed if it was not yet (lazily derived ones too):
 * for the engine, which compares the parts of two values. Undefined when no rule ever computed it (its code has not run).
 */
export function currentValue(name: DerivedFact, index: WorkspaceView): unknown {
  const c = memos.get(raw(index))?.get(name);
  if (!c) return undefined;
  const prev = scope;
  scope = undefined;
  try {
    return derived(name, index, c.compute, c.stillValid as ((value: unknown) => boolean) | undefined);
  } finally {
    scope = prev;
  }
}

/** Runs part of a derived fact computed on demand (a lazily filled cache in its value) with that fact's inputs. */
export function asDerived<T>(name: DerivedFact, fn: () => T): T {
  return scope ? within(`${scope.who} (through ${name})`, inputsOf(name), undefined, fn) : fn();
}

/** App fields and the fact each belongs to (fields not listed are the app's identity: free to read). */
const FIELD_FACT: Partial<Record<keyof App, AppFact>> = {
  envFiles: 'env',
  code: 'code',
  schemas: 'schemas',
  listeners: 'listeners',
  unknownPorts: 'listeners',
  compose: 'compose',
  pm2: 'pm2',
  packageJson: 'package',
  nxLibrary: 'package',
  foreign: 'package',
};

const instrumented = new WeakSet<App>();

/** With checking on: makes reads of an app's fact fields go through read(). The object keeps its identity. */
export function instrumentApp(app: App): void {
  if (!checkingOn || instrumented.has(app)) return;
  instrumented.add(app);
  for (const [field, fact] of Object.entries(FIELD_FACT) as [keyof App, AppFact][]) {
    let value = app[field];
    Object.defineProperty(app, field, {
      enumerable: true,
      configurable: true,
      get() {
        read(fact, app);
        return value;
      },
      set(v) {
        value = v;
      },
    });
  }
}

const INDEX_FACT: Record<string, FactName> = { composeFiles: 'composeFiles', postgresConfs: 'postgresConfs', monorepoRoots: 'monorepoRoots' };

/** With checking on: a view of the index whose workspace facts and runs() go through read(); else the index. */
export function checkedView(index: WorkspaceView): WorkspaceView {
  if (!checkingOn) return index;
  const view = new Proxy(index, {
    get(target, prop) {
      if (typeof prop === 'string' && prop in INDEX_FACT) read(INDEX_FACT[prop]);
      if (prop === 'runs') return () => derived('runs', view, () => target.runs());
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  rawOf.set(view, index);
  return view;
}
