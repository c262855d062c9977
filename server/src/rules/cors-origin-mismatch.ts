import * as path from 'node:path';
import type { App, CodeDefault, CorsFact, EnvEntry, Location, RelatedInfo, TextEditAt, WorkspaceView } from '../model/types';
import { replaceEnvValue } from '../facts/util';
import { appRule, type Report } from '../model/rule';
import { corsLinks, type Link } from '../facts/cors';
import { appLabel, safeUrl, effectiveEnvEntry, TextAt } from '../facts/sessions';

/** The allowed origins of one CORS setting, where they are written, and how the fix rewrites them. */
interface Allowed {
  origins: string[];
  /** `*` with no reflection. */
  any: boolean;
  reflect: boolean;
  location: Location;
  /** For messages: `CORS_ORIGIN=http://localhost:5173 in .env`. */
  source: string;
  envEntry?: EnvEntry;
  codeDefault?: CodeDefault;
  /** The code splits the env value into a list. */
  list: boolean;
  /** The env variable is read but set nowhere: the middleware falls back to `*`. */
  unset?: string;
}

function splitOrigins(value: string, list: boolean): string[] {
  const v = value.trim();
  if (!list) return [v];
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function allowedOf(backend: App, c: CorsFact): Allowed | undefined {
  const at: Location = { file: c.file, range: c.range };
  if (c.reflect) return { origins: [], any: true, reflect: true, location: at, source: 'origin: true', list: false };
  if (c.envVar) {
    const e = effectiveEnvEntry(backend, c.envVar);
    const literal = c.origins ?? [];
    if (e) {
      const value = (e.expanded ?? e.value).trim();
      const origins = [...splitOrigins(value, !!c.splits), ...literal];
      return {
        origins,
        any: origins.includes('*'),
        reflect: false,
        location: { file: e.file, range: e.range },
        source: `${e.key}=${value} in ${path.basename(e.file)}`,
        envEntry: e,
        list: !!c.splits,
      };
    }
    const d = backend.code.flatMap((x) => x.defaults).find((x) => x.key === c.envVar && x.file === c.file);
    if (d) {
      const origins = [...splitOrigins(d.value, !!c.splits), ...literal];
      return {
        origins,
        any: origins.includes('*'),
        reflect: false,
        location: { file: d.file, range: d.range },
        source: `the default "${d.value}" of ${c.envVar} in ${path.basename(d.file)}`,
        codeDefault: d,
        list: !!c.splits,
      };
    }
    if (literal.length)
      return {
        origins: literal,
        any: literal.includes('*'),
        reflect: false,
        location: at,
        source: `the origins written in ${path.basename(c.file)}`,
        list: false,
      };
    // Read but set nowhere: cors() treats an undefined origin as its default `*`.
    return {
      origins: ['*'],
      any: true,
      reflect: false,
      location: at,
      source: `${c.envVar}, which no env file of ${backend.name} sets`,
      list: false,
      unset: c.envVar,
    };
  }
  if (c.origins)
    return {
      origins: c.origins,
      any: c.origins.includes('*'),
      reflect: false,
      location: at,
      source: `origin ${c.origins.length === 1 ? JSON.stringify(c.origins[0]) : JSON.stringify(c.origins)} in ${path.basename(c.file)}`,
      list: c.origins.length !== 1,
    };
  return undefined;
}

/** Rewrites the CORS setting so that it allows `add` (a list keeps the origins it already has). */
function fixEdits(index: WorkspaceView, backend: App, a: Allowed, keep: string[], add: string): TextEditAt[] {
  const origins = a.list ? [...new Set([...keep, add])] : [add];
  if (a.envEntry) return [replaceEnvValue(a.envEntry, origins.join(','))];
  if (a.codeDefault) return [{ file: a.codeDefault.file, range: a.codeDefault.range, newText: origins.join(',') }];
  const t = TextAt.of(index, a.location.file);
  if (!t) return [];
  if (a.unset) {
    // Add the variable to the env file the backend loads.
    const file =
      backend.envFiles.find((f) => f.kind === 'live' && (f.mode === 'default' || f.mode === 'development') && f.name === '.env') ??
      backend.envFiles.find((f) => f.kind === 'live' && (f.mode === 'default' || f.mode === 'development'));
    if (!file) return [];
    const text = index.textOf(file.file) ?? file.text;
    const env = new TextAt(text);
    const end = env.position(text.length);
    return [{ file: file.file, range: { start: end, end }, newText: `${text.length && !text.endsWith('\n') ? '\n' : ''}${a.unset}=${add}\n` }];
  }
  // A literal in code: rewrite the origin property's value.
  const start = t.offset(a.location.range.start);
  const seg = t.text.slice(start, t.offset(a.location.range.end));
  const m = /^(\s*["']?origin["']?\s*:\s*)([\s\S]*?)\s*$/.exec(seg);
  if (!m) return [];
  const q = t.quoteOn(a.location.range.start.line);
  const lit = (s: string) => `${q}${s}${q}`;
  const value = origins.length === 1 ? lit(origins[0]) : `[${origins.map(lit).join(', ')}]`;
  const s = start + m[1].length;
  return [{ file: a.location.file, range: { start: t.position(s), end: t.position(s + m[2].length) }, newText: value }];
}

export const corsOriginMismatch = appRule({
  id: 'cors-origin-mismatch',
  docs: {
    description: "A backend's CORS origin does not allow a frontend of the workspace whose API URL points at it (or allows `*` with credentials).",
    url: 'docs/rules/cors-origin-mismatch.md',
  },
  defaultSeverity: 'warning',
  fixable: true,
  facts: ['code', 'env', 'listeners', 'corsLinks'],
  check(app, ctx) {
    const links = corsLinks(ctx.index).get(app);
    if (links) for (const r of backendFindings(ctx.index, app, links)) ctx.report(r);
  },
});

function backendFindings(index: WorkspaceView, backend: App, links: Link[]): Report[] {
  const findings: Report[] = [];
  const cors = backend.code.flatMap((c) => c.auth?.cors ?? []);
  const frontends = links.filter((x) => x.servers.length);
  if (!frontends.length) return findings;
  const seen = new Set<string>();
  for (const c of cors) {
    const a = allowedOf(backend, c);
    if (!a || a.reflect) continue;
    const at = `${a.location.file}:${a.location.range.start.line}:${a.location.range.start.character}`;
    for (const { link, servers } of frontends) {
      for (const srv of servers) {
        if (seen.has(`${at}|${srv.origin}`)) continue;
        const included = a.origins.includes(srv.origin);
        const wildcard = a.any && !included;
        if (included || (wildcard && !c.credentials)) continue;
        seen.add(`${at}|${srv.origin}`);
        const keep = a.list ? a.origins.filter((o) => o !== '*') : [];
        const related: RelatedInfo[] = [
          { location: link.location, message: `${link.key}=${safeUrl(link.value)} in ${appLabel(index, link.frontend)} points at ${appLabel(index, backend)}` },
          { location: srv.location, message: `${appLabel(index, link.frontend)} runs at ${srv.origin}` },
        ];
        if (a.location.file !== c.file || a.location.range.start.line !== c.range.start.line)
          related.push({ location: { file: c.file, range: c.range }, message: `the CORS origin is read here${c.credentials ? ' (credentials: true)' : ''}` });
        const hint = a.origins.map((o) => o.replace(/\/+$/, '')).includes(srv.origin)
          ? ' (the allowed origin ends with a slash)'
          : !a.list && a.origins.some((o) => o.includes(','))
            ? ' (several origins passed as one string)'
            : '';
        const front = appLabel(index, link.frontend);
        const back = appLabel(index, backend);
        const message = wildcard
          ? a.unset
            ? `${back} leaves its CORS origin ${a.unset} unset, so \`*\` with credentials blocks ${front} at ${srv.origin}.`
            : `The CORS origin of ${back} is \`*\` with credentials, which browsers reject for ${front} at ${srv.origin}.`
          : `The CORS origin of ${back} does not allow ${srv.origin}, where ${front} runs and calls it${hint}.`;
        findings.push({
          message,
          at: a.location,
          related,
          app: backend,
          fixes: [
            {
              kind: 'judgement',
              title:
                a.list && keep.length ? `Add ${srv.origin} to the CORS origins of ${backend.name}` : `Set the CORS origin of ${backend.name} to ${srv.origin}`,
              preferred: true,
              edits: () => fixEdits(index, backend, a, keep, srv.origin),
            },
          ],
        });
      }
    }
  }
  return findings;
}
