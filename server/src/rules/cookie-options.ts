import type { App, CookieOptionsFact, Location, NextAuthOptionsFact, Range, RelatedInfo, TextEditAt, WorkspaceView } from '../model/types';
import {
  appLabel,
  insertProperties,
  safeUrl,
  pm2EntriesOf,
  productionSignals,
  servedUrls,
  TextAt,
  type Pm2Entry,
  type ServedUrl,
  type Signal,
} from '../facts/sessions';
import { appRule, type Report } from '../model/rule';
import { isLibrary, isPublishedLibrary } from '../facts/libraries';
import { isTestCode } from '../facts/util';

/**
 * What each library sets when the code leaves an attribute out (read from their sources):
 * - iron-session: `{ httpOnly: true, secure: true, sameSite: "lax", path: "/" }` merged under cookieOptions.
 * - Auth.js (v5, @auth/core): deep-merges custom cookie options over its defaults (httpOnly, sameSite lax, path /, secure per URL).
 * - next-auth v4: a custom `cookies.sessionToken` replaces the default one whole (shallow spread): nothing is merged.
 * - express-session: Cookie defaults `{ path: "/", httpOnly: true, secure: false }`, no SameSite.
 * - cookie-session (cookies): path "/", httpOnly true, no SameSite.
 * - Express `res.cookie`: path "/" (`if (opts.path == null) opts.path = '/'`), nothing else.
 * - Next.js `cookies().set` (@edge-runtime/cookies normalizeCookie): path "/", nothing else.
 */
interface Defaults {
  sameSite?: string;
  path?: string;
  httpOnly?: boolean;
  secure?: boolean;
}

function defaultsOf(c: CookieOptionsFact, nextAuthVersion: 4 | 5 | undefined): Defaults {
  switch (c.lib) {
    case 'iron-session':
      return { sameSite: 'lax', path: '/', httpOnly: true, secure: true };
    case 'next-auth':
      return nextAuthVersion === 5 ? { sameSite: 'lax', path: '/', httpOnly: true } : {};
    case 'express-session':
    case 'cookie-session':
      return { path: '/', httpOnly: true, secure: false };
    case 'res.cookie':
    case 'next-cookies':
      return { path: '/' };
    default:
      return {};
  }
}

const LIB_NAME: Record<CookieOptionsFact['lib'], string> = {
  'iron-session': 'iron-session',
  'next-auth': 'NextAuth',
  'express-session': 'express-session',
  'cookie-session': 'cookie-session',
  'res.cookie': 'res.cookie',
  'next-cookies': "Next.js's cookies().set",
  unknown: 'this cookie API',
};

/** A range cut to its first line (multi-line options objects are reported on the line where they begin). */
function firstLine(index: WorkspaceView, file: string, r: Range): Range {
  if (r.end.line === r.start.line) return r;
  const t = TextAt.of(index, file);
  const len = t ? t.lines.lineText(r.start.line).length : r.start.character;
  return { start: r.start, end: { line: r.start.line, character: len } };
}

function cookieLabel(c: CookieOptionsFact): string {
  return c.name ? `session cookie "${c.name}"` : 'session cookie';
}

/** The served URLs a Secure cookie can never be set over: plain http on a host other than localhost. */
function insecureUrls(urls: ServedUrl[]): ServedUrl[] {
  return urls.filter((u) => u.origin.scheme === 'http' && !u.origin.local);
}

function displayUrl(u: ServedUrl): string {
  return safeUrl(u.value);
}

interface SecureCase {
  /** Why the cookie is Secure, for messages. */
  why: string;
  urls: ServedUrl[];
  signals: Signal[];
}

/** When is this cookie Secure, and at which plain-http URLs is the app served then? */
function secureCase(app: App, pm2: Pm2Entry[], value: boolean | 'production' | 'unknown' | undefined, libDefault: boolean | undefined): SecureCase | undefined {
  const effective = value ?? libDefault;
  if (effective === true) {
    const urls = insecureUrls(servedUrls(app, pm2, () => true));
    return urls.length ? { why: value === true ? 'is marked Secure' : 'is Secure by default', urls, signals: [] } : undefined;
  }
  if (effective === 'production') {
    const signals = productionSignals(app, pm2);
    if (!signals.length) return undefined;
    // NODE_ENV=production environments load the default and production env files (and PM2's env blocks).
    const urls = insecureUrls(servedUrls(app, pm2, (m) => m !== 'development' && m !== 'test'));
    return urls.length ? { why: 'is Secure in production', urls, signals } : undefined;
  }
  return undefined;
}

function secureFinding(index: WorkspaceView, app: App, location: Location, what: string, sc: SecureCase): Report {
  const urls = [...new Map(sc.urls.map((u) => [displayUrl(u), u])).values()];
  const related: RelatedInfo[] = [
    ...sc.urls.map((u) => ({ location: u.location, message: `${u.source}: served over plain http at ${displayUrl(u)}` })),
    ...sc.signals.map((s) => ({ location: s.location, message: s.text })),
  ];
  return {
    message: `${what} of ${appLabel(index, app)} ${sc.why} but served over http at ${displayUrl(urls[0]).replace(/^(\w+:\/\/[^/?#]+).*$/, '$1')}${urls.length > 1 ? ` and ${urls.length - 1} more` : ''}.`,
    at: location,
    related,
    app: app,
    fixes: [],
  };
}

/** Inserts missing attributes into the cookie's options (or adds an options argument to a bare `res.cookie(name, value)`). */
function addAttributesEdit(index: WorkspaceView, c: CookieOptionsFact, props: string[]): TextEditAt | undefined {
  const t = TextAt.of(index, c.file);
  if (!t) return undefined;
  const start = t.offset(c.range.start);
  const end = t.offset(c.range.end);
  const q = t.quoteOn(c.range.start.line);
  const quoted = props.map((p) => p.replace(/'/g, q));
  if (t.text[start] === '{') return insertProperties(t, c.file, t.position(start + 1), quoted);
  if ((c.lib === 'res.cookie' || c.lib === 'next-cookies') && t.text[end - 1] === ')') {
    return { file: c.file, range: { start: t.position(end - 1), end: t.position(end - 1) }, newText: `, { ${quoted.join(', ')} }` };
  }
  if (c.lib === 'express-session') {
    // session({ ... }) without a cookie object: add one
    const brace = t.text.indexOf('{', start);
    if (brace < 0 || brace >= end) return undefined;
    return insertProperties(t, c.file, t.position(brace + 1), [`cookie: { ${quoted.join(', ')} }`]);
  }
  if (c.lib === 'cookie-session') {
    const brace = t.text.indexOf('{', start);
    if (brace < 0 || brace >= end) return undefined;
    return insertProperties(t, c.file, t.position(brace + 1), quoted);
  }
  return undefined;
}

function checkCookie(index: WorkspaceView, app: App, pm2: Pm2Entry[], c: CookieOptionsFact, nextAuth: NextAuthOptionsFact | undefined): Report[] {
  const out: Report[] = [];
  const d = defaultsOf(c, nextAuth?.version);
  const lib = LIB_NAME[c.lib];
  const what = `Session cookie${c.name ? ` "${c.name}"` : ''}`;
  // 1. sameSite / path left to a library that does not set them. Options that are not all written out (a spread, a
  // variable from elsewhere) may set them: unknown, not missing.
  const missing: string[] = [];
  if (!c.opaque && !c.sameSite && d.sameSite === undefined) missing.push('sameSite');
  if (!c.opaque && !c.path && d.path === undefined) missing.push('path');
  if (missing.length) {
    const props = missing.map((m) => (m === 'sameSite' ? "sameSite: 'lax'" : "path: '/'"));
    const nextAuthNote = c.lib === 'next-auth' && nextAuth?.version === 4 ? ' (a custom cookie replaces its defaults)' : '';
    out.push({
      message: `${what} of ${appLabel(index, app)} sets no ${missing.join(' and no ')}, and ${lib} does not add ${missing.length === 2 ? 'them' : 'it'}${nextAuthNote}.`,
      at: { file: c.file, range: firstLine(index, c.file, c.range) },
      related: [],
      app: app,
      fixes: [
        {
          kind: 'safe',
          title: `Add ${props.join(', ')} to the ${cookieLabel(c)}`,
          preferred: true,
          edits: () => {
            const e = addAttributesEdit(index, c, props);
            return e ? [e] : [];
          },
        },
      ],
    });
  }
  // 2. httpOnly: false on a session cookie
  if (c.httpOnly?.value === false) {
    out.push({
      message: `${what} of ${appLabel(index, app)} has httpOnly: false, so any script on the page can read the session.`,
      at: { file: c.file, range: c.httpOnly.range },
      related: [],
      app: app,
      fixes: [
        {
          kind: 'safe',
          title: `Set httpOnly: true on the ${cookieLabel(c)}`,
          preferred: true,
          edits: () => {
            const t = TextAt.of(index, c.file);
            const r = c.httpOnly!.range;
            if (!t) return [];
            const seg = t.text.slice(t.offset(r.start), t.offset(r.end));
            const m = /\bfalse\b/.exec(seg);
            if (!m) return [];
            const s = t.offset(r.start) + m.index;
            return [{ file: c.file, range: { start: t.position(s), end: t.position(s + 5) }, newText: 'true' }];
          },
        },
      ],
    });
  }
  // 3. SameSite=None without Secure: browsers reject the cookie
  const secureValue = c.secure?.value === 'unknown' ? undefined : c.secure?.value;
  if (c.sameSite && c.sameSite.value.toLowerCase() === 'none' && (secureValue ?? (c.opaque ? undefined : d.secure)) === false) {
    out.push({
      message: `${what} of ${appLabel(index, app)} has sameSite: "none" without Secure, so browsers never store it.`,
      at: { file: c.file, range: c.sameSite.range },
      related: c.secure ? [{ location: { file: c.file, range: c.secure.range }, message: 'secure is false here' }] : [],
      app: app,
      fixes: [],
    });
  }
  // 4. Secure while served over plain http on a LAN host (the story “The login that never sticks”)
  if (c.secure?.value !== 'unknown' && (c.secure || !c.opaque)) {
    const sc = secureCase(app, pm2, c.secure?.value as boolean | 'production' | undefined, d.secure);
    if (sc) out.push(secureFinding(index, app, { file: c.file, range: firstLine(index, c.file, c.secure?.range ?? c.range) }, what, sc));
  }
  return out;
}

export const cookieOptions = appRule({
  id: 'cookie-options',
  docs: {
    description:
      "A session cookie's options break it: no sameSite/path where the library sets none, httpOnly: false, or Secure while the app is served over plain http.",
    url: 'docs/rules/cookie-options.md',
  },
  defaultSeverity: 'warning',
  fixable: true,
  facts: ['code', 'env', 'listeners', 'pm2Entries', 'package', 'pm2'],
  check(app, ctx) {
    // A library's cookie code runs inside the apps that use it, with their options; tests set cookies for themselves.
    if (isLibrary(app) || isPublishedLibrary(app)) return;
    const index = ctx.index;
    const pm2 = pm2EntriesOf(index, app);
    const findings: Report[] = [];
    for (const code of app.code) {
      const auth = code.auth;
      if (!auth || isTestCode(app, code.file)) continue;
      for (const c of auth.cookies) {
        if (!c.session) continue;
        findings.push(...checkCookie(index, app, pm2, c, auth.nextAuth[0]));
      }
      // NextAuth's useSecureCookies: true with its default cookies (custom ones are checked above)
      for (const n of auth.nextAuth) {
        if (n.useSecureCookies !== true || !n.useSecureCookiesRange) continue;
        const sc = secureCase(app, pm2, true, undefined);
        if (sc)
          findings.push(
            secureFinding(index, app, { file: n.file, range: firstLine(index, n.file, n.useSecureCookiesRange) }, `The NextAuth session cookie`, sc),
          );
      }
    }
    for (const f of findings) ctx.report(f);
  },
});
