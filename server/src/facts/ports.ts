import * as path from 'node:path';
import type { App, Fix, Listener, Range, TextEditAt, WorkspaceView } from '../model/types';
import { identity, liveEntries, originOf, portEdit } from './util';
import { systems } from './systems';
import { publishedPorts } from './machines';
import { appNamedByKey } from './listening';
import { backendOf, corsLinks } from './cors';
import { effectiveEnvEntry, isServedUrlKey } from './sessions';
import { LineIndex } from '../model/text';

/** Port -> identities (apps, replicas counted once) that bind it; computed once per set of apps. */
const portOwnersCache = new WeakMap<readonly App[], Map<number, Set<string>>>();
function portOwners(index: WorkspaceView): Map<number, Set<string>> {
  let m = portOwnersCache.get(index.apps);
  if (!m) {
    m = new Map();
    for (const a of index.apps) {
      for (const l of a.listeners) {
        let s = m.get(l.port);
        if (!s) m.set(l.port, (s = new Set()));
        s.add(identity(a));
      }
    }
    portOwnersCache.set(index.apps, m);
  }
  return m;
}

/** Whether a port is bound by a listener of an app other than `app` (and its replicas). */
export function portUsedByOthers(index: WorkspaceView, app: App, port: number): boolean {
  const owners = portOwners(index).get(port);
  if (!owners) return false;
  return owners.size > 1 || !owners.has(identity(app));
}

/** The port the app's own NEXTAUTH_URL / AUTH_URL names, when it is a local URL with a port. */
export function portFromAuthUrl(app: App): number | undefined {
  for (const e of liveEntries(app)) {
    if (e.key !== 'NEXTAUTH_URL' && e.key !== 'AUTH_URL') continue;
    const o = originOf(e.expanded ?? e.value);
    if (o && o.local && (o.scheme === 'http' || o.scheme === 'https')) return o.port;
  }
  return undefined;
}

/** Ports the workspace names anywhere: a URL in an env file, a template or a code default, or a published compose port. */
function namedPorts(index: WorkspaceView): Set<number> {
  const out = new Set<number>(systems(index).names.keys());
  for (const p of publishedPorts(index)) out.add(p.port.host);
  return out;
}

/**
 * The port to move a server to out of a collision: its own NEXTAUTH_URL's port (Next.js), else its port if free, else
 * the lowest free port above. Free means no other server binds it, and nothing in the workspace names it (no URL, no
 * published compose port), so that the move cannot start another conflict.
 */
export function choosePort(index: WorkspaceView, app: App, l: Listener): number | undefined {
  const named = namedPorts(index);
  const auth = portFromAuthUrl(app);
  const used = (p: number) => portUsedByOthers(index, app, p) || (p !== l.port && named.has(p) && p !== auth);
  const pinned = pinnedPort(app, l);
  if (!used(pinned)) return pinned;
  let p = l.port;
  while (used(p) && p < 65535) p++;
  return p;
}

/** The port to pin an implicit listener to: the one its own NEXTAUTH_URL names (Next.js), else the default it relies on. */
export function pinnedPort(app: App, l: Listener): number {
  return (l.framework === 'next' ? portFromAuthUrl(app) : undefined) ?? l.port;
}

function sameFamily(a: Listener, b: Listener): boolean {
  const fam = (l: Listener) => `${l.framework}\0${l.role === 'preview' || l.role === 'storybook' ? l.role : 'app'}`;
  return fam(a) === fam(b);
}

/**
 * "Set the port of <app> to <n>": writes the port where the framework reads it — the `-p` flag for
 * the Next.js CLI, `--port n --strictPort` for Vite, `PORT=n` in .env for servers that load .env
 * before listening. Applied to every implicit listener of the same kind in the app (dev and start).
 */
export function setPortFix(index: WorkspaceView, app: App, l: Listener, n: number, opts: { move?: boolean } = {}): Fix | undefined {
  // A move (out of a collision) also points the app's own served URLs (NEXTAUTH_URL, AUTH_URL, APP_URL...) at the new port.
  const title = opts.move ? `Move ${app.name} to port ${n}` : `Set the port of ${app.name} to ${n}`;
  const ownUrls = (): TextEditAt[] =>
    opts.move ? [...ownUrlEdits(index, app, l.port, n), ...namingUrlEdits(index, app, l.port, n), ...corsEdits(index, app, l.port, n)] : [];
  // One fix, wherever the port is written: the app's own URLs move with it.
  const fix = (edits: () => TextEditAt[]): Fix => ({ kind: 'safe', workspaceWide: true, title, preferred: true, edits: () => [...ownUrls(), ...edits()] });
  const targets = app.listeners.filter((x) => !x.explicit && sameFamily(x, l));
  const pkg = app.packageJson;
  if (!pkg) return undefined;
  // The flag the framework takes (frameworks/*.ts); servers that read PORT from the env files they load get a PORT line.
  const flag = l.fixFlag?.replace('{port}', String(n));
  if (flag) {
    const byScript = new Map<string, Listener>();
    for (const t of targets) if (t.toolEnd !== undefined) byScript.set(t.script, t);
    if (byScript.size === 0) return undefined;
    return fix(() => {
      const edits: TextEditAt[] = [];
      for (const t of byScript.values()) {
        const script = pkg.scripts.find((s) => s.name === t.script);
        if (!script) continue;
        const raw = pkg.text.split(/\r?\n/)[script.innerRange.start.line]?.slice(script.innerRange.start.character, script.innerRange.end.character);
        if (raw !== script.command) continue; // escaped characters: offsets would differ; leave it to the user
        const at = { line: script.innerRange.start.line, character: script.innerRange.start.character + t.toolEnd! };
        edits.push({ file: pkg.file, range: { start: at, end: at }, newText: flag });
      }
      return edits;
    });
  }
  // Servers that read PORT from the env files they load.
  const envName = l.loadedEnvFiles[0] ?? path.join(app.dir, '.env');
  const envFile = app.envFiles.find((f) => f.file === envName);
  if (!envFile) return undefined;
  return fix(() => {
    const text = index.textOf(envFile.file) ?? envFile.text;
    const lines = text.split(/\r\n|\r|\n/);
    const last = lines.length - 1;
    const end = { line: last, character: lines[last].length };
    const eol = text.includes('\r\n') ? '\r\n' : '\n';
    const prefix = lines[last].length > 0 ? eol : '';
    return [{ file: envFile.file, range: { start: end, end }, newText: `${prefix}PORT=${n}${eol}` }];
  });
}

/**
 * Edits that point other apps' URLs to this app at `to`: env entries (live files and templates) whose key names this app
 * and no other (every word of `DOCS_URL`, `BILLING_API_URL`, `NEXT_PUBLIC_ADMIN_ORIGIN` but the prefix and the
 * `URL`/`ORIGIN` suffix is a word of its name or folder) and whose value is a local URL on `from`. A URL on `from` that
 * names no app could mean either app of the collision: it is left alone.
 */
function namingUrlEdits(index: WorkspaceView, app: App, from: number, to: number): TextEditAt[] {
  const out: TextEditAt[] = [];
  for (const other of index.apps) {
    if (identity(other) === identity(app)) continue;
    for (const f of other.envFiles) {
      if (f.kind !== 'live' && f.kind !== 'template') continue;
      for (const e of f.entries) {
        if (!/_(URL|ORIGIN)$/.test(e.key) || e.value !== (e.expanded ?? e.value)) continue;
        const o = originOf(e.value.trim());
        if (!o || !o.local || o.port !== from || !/^https?$/.test(o.scheme)) continue;
        const named = appNamedByKey(index, e.key);
        if (!named || identity(named) !== identity(app)) continue;
        const edit = portEdit(index, e.file, e.innerRange, to);
        if (edit) out.push(edit);
      }
    }
  }
  return out;
}

/**
 * Edits that move this app's origin in the CORS settings of the backends it calls (its browser API URL reaches them:
 * facts/cors.ts corsLinks): `http://localhost:<from>` becomes `<to>` in the backend's CORS env value (each origin of
 * a list) or in the literal origins of its `cors({ origin })` call. Left alone when another frontend the backend
 * serves also runs on `from`: which of them the origin means is for the user to say.
 */
function corsEdits(index: WorkspaceView, app: App, from: number, to: number): TextEditAt[] {
  const out: TextEditAt[] = [];
  for (const [backend, links] of corsLinks(index)) {
    if (identity(backend) === identity(app) || !links.some((x) => identity(x.link.frontend) === identity(app))) continue;
    const ambiguous = links.some((x) => identity(x.link.frontend) !== identity(app) && x.servers.some((d) => originOf(d.origin)?.port === from));
    if (ambiguous) continue;
    for (const c of backendOf(backend)?.cors ?? []) {
      if (c.envVar) {
        const e = effectiveEnvEntry(backend, c.envVar);
        if (e && e.value === (e.expanded ?? e.value)) out.push(...originPortEdits(index, e.file, e.innerRange, from, to));
      } else if (c.origins?.length) out.push(...originPortEdits(index, c.file, c.range, from, to));
    }
  }
  return out;
}

/** Edits of the port of every local http(s) origin on `from` written in `range` of `file`. */
function originPortEdits(index: WorkspaceView, file: string, range: Range, from: number, to: number): TextEditAt[] {
  const text = index.textOf(file);
  if (text === undefined) return [];
  const lines = new LineIndex(text);
  const start = lines.offsetAt(range.start);
  const segment = text.slice(start, lines.offsetAt(range.end));
  const out: TextEditAt[] = [];
  for (const m of segment.matchAll(/\bhttps?:\/\/(?:localhost|127\.0\.0\.1)(:)(\d{2,5})\b/g)) {
    if (Number(m[2]) !== from) continue;
    const at = start + m.index! + m[0].length - m[2].length;
    out.push({ file, range: { start: lines.positionAt(at), end: lines.positionAt(at + m[2].length) }, newText: String(to) });
  }
  return out;
}

/** Edits that point the app's own served URLs (live env entries such as NEXTAUTH_URL, AUTH_URL, APP_URL) from `from` to `to`. */
function ownUrlEdits(index: WorkspaceView, app: App, from: number, to: number): TextEditAt[] {
  const out: TextEditAt[] = [];
  for (const e of liveEntries(app)) {
    if (!isServedUrlKey(e.key) || e.value !== (e.expanded ?? e.value)) continue;
    const o = originOf(e.value.trim());
    if (!o || !o.local || o.port !== from || !/^https?$/.test(o.scheme)) continue;
    const edit = portEdit(index, e.file, e.innerRange, to);
    if (edit) out.push(edit);
  }
  return out;
}
