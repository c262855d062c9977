import type { App, CookieOptionsFact, Location, NextAuthOptionsFact, TextEditAt, WorkspaceView } from '../model/types';
import { fewNames, identity, isTestCode, MAX_RELATED } from '../facts/util';
import { runTogetherAmong } from '../facts/systems';
import {
  appLabel,
  cookieHost,
  insertProperties,
  pm2EntriesOf,
  resolveConst,
  servedUrls,
  slug,
  TextAt,
  type Pm2Entry,
  type ResolvedConst,
} from '../facts/sessions';
import { groupRule, type Report } from '../model/rule';

const NEXTAUTH_URL_KEYS = (version: 4 | 5) => (key: string) => key === 'NEXTAUTH_URL' || (version === 5 && key === 'AUTH_URL');

/** One place where an app sets (or defaults) its session cookie's name. */
interface Site {
  app: App;
  host: string;
  name: string;
  /** For messages: "NextAuth v4's default name", "iron-session cookieName". */
  how: string;
  location: Location;
  kind: 'next-auth' | 'named';
  nextAuth?: NextAuthOptionsFact;
  cookie?: CookieOptionsFact;
  /** The name is a constant imported from another file: the fix does not rewrite it (other code may use it). */
  constant?: boolean;
}

function locKey(l: Location): string {
  return `${l.file}:${l.range.start.line}:${l.range.start.character}`;
}

/** The session middleware call that holds a cookie fact without a name property (express-session's default `connect.sid`). */
function sessionCallLocation(app: App, c: CookieOptionsFact): Location {
  const code = app.code.find((x) => x.file === c.file);
  const s = code?.auth?.sessions.find(
    (x) =>
      (x.kind === 'express-session' || x.kind === 'cookie-session') &&
      (x.range.start.line < c.range.start.line || (x.range.start.line === c.range.start.line && x.range.start.character <= c.range.start.character)) &&
      (x.range.end.line > c.range.end.line || (x.range.end.line === c.range.end.line && x.range.end.character >= c.range.end.character)),
  );
  return { file: c.file, range: s?.range ?? c.range };
}

function sitesOf(index: WorkspaceView, app: App, pm2: Pm2Entry[], read: ResolvedConst['read']): Site[] {
  const sites: Site[] = [];
  // Tests configure Auth.js and sessions for themselves: they are not an app served on this machine.
  const facts = app.code.filter((c) => !isTestCode(app, c.file)).flatMap((c) => c.auth?.nextAuth ?? []);
  // A name held in a constant imported from another file: resolved there (parsed, never run), else unknown.
  const resolved = (file: string, ref: { module: string; name: string }) => {
    const r = resolveConst(index, file, ref);
    read.push(...r.read);
    return r;
  };
  // NextAuth/Auth.js: the name follows the version and https (`__Secure-` prefix) unless configured.
  for (const n of facts) {
    // Cookies from a spread or a variable, or a name that cannot be read: unknown, never the library's default.
    if (n.opaqueCookies) continue;
    let configured = n.sessionCookieName;
    if (n.customSessionToken && !configured && n.sessionCookieNameRef) {
      const r = resolved(n.file, n.sessionCookieNameRef);
      if (r.value !== undefined) configured = { value: r.value, range: n.sessionCookieNameRef.range };
    }
    if (n.customSessionToken && !configured) continue;
    const urls = servedUrls(app, pm2, () => true, NEXTAUTH_URL_KEYS(n.version));
    const envs = urls.length
      ? urls.map((u) => ({ host: cookieHost(app, u.origin), https: u.origin.scheme === 'https' }))
      : [{ host: cookieHost(app), https: false }];
    for (const env of envs) {
      const secure = n.useSecureCookies ?? env.https;
      const base = n.version === 5 ? 'authjs.session-token' : 'next-auth.session-token';
      const name = configured?.value ?? `${secure ? '__Secure-' : ''}${base}`;
      const how = configured
        ? n.sessionCookieName
          ? `cookies.sessionToken.name`
          : `cookies.sessionToken.name, a constant imported from ${n.sessionCookieNameRef!.module}`
        : `${n.version === 5 ? 'Auth.js' : 'NextAuth v4'}'s default name${secure ? ' under https' : ''}`;
      sites.push({
        app,
        host: env.host,
        name,
        how,
        location: { file: n.file, range: configured?.range ?? n.range },
        kind: 'next-auth',
        nextAuth: n,
        constant: !n.sessionCookieName && !!configured,
      });
    }
  }
  // iron-session, express-session, cookie-session: the configured name (express-session's default connect.sid).
  const urls = servedUrls(app, pm2, () => true);
  const hosts = urls.length ? [...new Set(urls.map((u) => cookieHost(app, u.origin)))] : [cookieHost(app)];
  for (const c of app.code) {
    for (const k of c.auth?.cookies ?? []) {
      if (!k.session || (k.lib !== 'iron-session' && k.lib !== 'express-session' && k.lib !== 'cookie-session')) continue;
      let name = k.name;
      let how = k.lib === 'iron-session' ? 'iron-session cookieName' : k.nameRange ? `${k.lib} name` : `${k.lib}'s default name`;
      let location = k.nameRange ? { file: k.file, range: k.nameRange } : sessionCallLocation(app, k);
      let constant = false;
      if (name === undefined && k.nameRef) {
        const r = resolved(k.file, k.nameRef);
        if (r.value !== undefined) {
          name = r.value;
          how = `${k.lib === 'iron-session' ? 'iron-session cookieName' : `${k.lib} name`}, a constant imported from ${k.nameRef.module}`;
          location = sessionCallLocation(app, k);
          constant = true;
        }
      }
      if (name === undefined) continue; // unknown: never the library's default
      for (const host of hosts) sites.push({ app, host, name, how, location, kind: 'named', cookie: k, constant });
    }
  }
  return sites;
}

/** The new cookie name for a site's app. */
function newName(site: Site): string {
  const s = slug(site.app);
  if (site.kind === 'next-auth') return `${s}.session-token`;
  if (site.cookie?.lib === 'express-session') return `${s}.sid`;
  return `${s}.session`;
}

/** Replaces the string literal inside a `name: '...'` / `cookieName: '...'` property (or a bare literal). */
function replaceNameLiteral(index: WorkspaceView, loc: Location, name: string): TextEditAt | undefined {
  const t = TextAt.of(index, loc.file);
  if (!t) return undefined;
  const start = t.offset(loc.range.start);
  const end = t.offset(loc.range.end);
  const seg = t.text.slice(start, end);
  const m = /(['"`])((?:\\.|(?!\1)[^\\])*)\1\s*,?\s*$/.exec(seg);
  if (!m) return undefined;
  const litStart = start + m.index + 1;
  return { file: loc.file, range: { start: t.position(litStart), end: t.position(litStart + m[2].length) }, newText: name };
}

function secureExpression(n: NextAuthOptionsFact): string {
  if (n.useSecureCookies !== undefined) return String(n.useSecureCookies);
  const url = n.version === 5 ? '(process.env.AUTH_URL ?? process.env.NEXTAUTH_URL)' : 'process.env.NEXTAUTH_URL';
  return `${url}?.startsWith('https://') ?? process.env.NODE_ENV === 'production'`;
}

/** The edit that gives one NextAuth options object its own session cookie name, keeping NextAuth's default options. */
function nextAuthEdit(index: WorkspaceView, n: NextAuthOptionsFact, name: string): TextEditAt | undefined {
  if (n.sessionCookieName) return replaceNameLiteral(index, { file: n.file, range: n.sessionCookieName.range }, name);
  const t = TextAt.of(index, n.file);
  if (!t) return undefined;
  const q = t.quoteOn(n.range.start.line) === '"' ? '"' : "'";
  const token = (indent: string) =>
    [
      `sessionToken: {`,
      `${indent}  name: ${q}${name}${q},`,
      `${indent}  options: {`,
      `${indent}    httpOnly: true,`,
      `${indent}    sameSite: ${q}lax${q},`,
      `${indent}    path: ${q}/${q},`,
      `${indent}    secure: ${secureExpression(n).replace(/'/g, q)},`,
      `${indent}  },`,
      `${indent}}`,
    ].join('\n');
  if (n.cookiesObject) return insertProperties(t, n.file, n.cookiesObject.insertAt, [token(n.cookiesObject.indent)]);
  const i = n.indent;
  const block = [`cookies: {`, `${i}  ${token(`${i}  `)},`, `${i}}`].join('\n');
  return insertProperties(t, n.file, n.insertAt, [block]);
}

/** Inserts `name: '<name>'` into an express-session / cookie-session options object that has none. */
function insertSessionName(index: WorkspaceView, loc: Location, name: string): TextEditAt | undefined {
  const t = TextAt.of(index, loc.file);
  if (!t) return undefined;
  const from = t.offset(loc.range.start);
  const brace = t.text.indexOf('{', from);
  if (brace < 0 || brace > t.offset(loc.range.end)) return undefined;
  const q = t.quoteOn(loc.range.start.line);
  return insertProperties(t, loc.file, t.position(brace + 1), [`name: ${q}${name}${q}`]);
}

/**
 * Whether two sites' apps are used in one browser at the same time. On a named host (a domain their URLs give) they
 * are: one domain serves both. On localhost only when they run together: one script starts them, or their
 * configuration links them into one system. A collection of independent examples on localhost shares nothing.
 */
function runTogether(index: WorkspaceView, sites: Site[]): (a: Site, b: Site) => boolean {
  const together = runTogetherAmong(
    index,
    sites.map((s) => s.app),
  );
  return (a, b) => a.host !== 'localhost' || together(a.app, b.app);
}

/** Grouped by (host, cookie name): linear in the number of sites, never app × app. */
export const sharedSessionCookie = groupRule<Site>({
  id: 'shared-session-cookie',
  docs: {
    description: 'Two different apps served on the same host use the same session cookie name (cookies are not isolated by port).',
    url: 'docs/rules/shared-session-cookie.md',
  },
  defaultSeverity: 'warning',
  fixable: true,
  facts: ['code', 'env', 'listeners', 'pm2Entries', 'constants', 'components', 'runs'],
  groupBy: (app, { index }) => keyedSites(index, app),
  check(_key, members, ctx) {
    for (const r of groupFindings(
      ctx.index,
      members.map((m) => m.item),
    ))
      ctx.report(r);
  },
});

/** An app's sites, keyed by host and cookie name. */
function keyedSites(index: WorkspaceView, app: App): (readonly [string, Site])[] {
  return sitesOf(index, app, pm2EntriesOf(index, app), []).map((s) => [`${s.host}\0${s.name}`, s] as const);
}

/** Every site of one app identity with one cookie name: a rename must reach all of them (middleware and actions, replicas). */
function sitesOfIdentity(index: WorkspaceView, ident: string, name: string): Site[] {
  const out: Site[] = [];
  for (const app of index.apps) {
    if (identity(app) !== ident) continue;
    for (const [, s] of keyedSites(index, app)) if (s.name === name && !out.some((x) => locKey(x.location) === locKey(s.location))) out.push(s);
  }
  return out;
}

function groupFindings(index: WorkspaceView, members: Site[]): Report[] {
  const sites: Site[] = [];
  for (const s of members) if (!sites.some((x) => x.app === s.app && locKey(x.location) === locKey(s.location))) sites.push(s);
  const findings: Report[] = [];
  const ids = new Set(sites.map((s) => identity(s.app)));
  if (ids.size < 2) return findings;
  const together = runTogether(index, sites);
  for (const s of sites) {
    const others = sites.filter((o) => identity(o.app) !== identity(s.app) && together(s, o));
    if (!others.length) continue;
    const host = s.host === 'localhost' ? 'localhost' : s.host;
    const name = newName(s);
    findings.push({
      message: `${appLabel(index, s.app)} and ${fewNames(
        others.map((o) => appLabel(index, o.app)),
        2,
        ['app', 'apps'],
      )} share session cookie "${s.name}" (${s.how}) on ${host}.`,
      at: s.location,
      related: others.slice(0, MAX_RELATED).map((o) => ({ location: o.location, message: `"${o.name}" (${o.how}) of ${appLabel(index, o.app)}` })),
      app: s.app,
      // A name held in a shared constant is renamed where the constant is defined, by hand (other code may read it).
      fixes: s.constant
        ? []
        : [
            {
              kind: 'judgement',
              title: `Name the session cookie of ${s.app.name} "${name}"`,
              preferred: true,
              edits: () => {
                const edits: TextEditAt[] = [];
                const done = new Set<string>();
                const found = sitesOfIdentity(index, identity(s.app), s.name);
                const targets = found.length ? found : [s];
                for (const t of targets) {
                  const key = t.nextAuth ? `${t.nextAuth.file}:${t.nextAuth.range.start.line}` : locKey(t.location);
                  if (done.has(key) || t.constant) continue;
                  done.add(key);
                  const e =
                    t.kind === 'next-auth'
                      ? nextAuthEdit(index, t.nextAuth!, name)
                      : t.cookie?.nameRange
                        ? replaceNameLiteral(index, t.location, name)
                        : insertSessionName(index, t.location, name);
                  if (e) edits.push(e);
                }
                return edits;
              },
            },
          ],
    });
  }
  return findings;
}
