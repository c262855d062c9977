/**
 * Where the rule docs pages are: one place that every output links them from (the LSP diagnostics'
 * codeDescription, SARIF's helpUri, the audit report). The web address comes from Crosswire's own package.json
 * (`repository`, else `homepage`), never from a constant; the pages themselves ship in the package (docs/rules/),
 * so a local copy is used where the reader is on this machine (the editor, offline) and the web address where the
 * output is read elsewhere (a SARIF log uploaded to code scanning).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

export interface PackageFacts {
  /** The folder of Crosswire's package.json (the repository or the installed package / extension). */
  root?: string;
  version: string;
  /** The project's web page: `homepage`, else the repository's web address, else a placeholder. */
  informationUri: string;
  /** Web address of the source repository (https, no `.git`), when package.json names one. */
  repositoryWeb?: string;
  homepage?: string;
}

const FALLBACK_URI = 'https://example.invalid/crosswire';

/** `git+https://github.com/o/r.git`, `https://github.com/o/r`, `github:o/r`, `o/r` -> `https://github.com/o/r`. */
export function repositoryWebUrl(repository: unknown): string | undefined {
  const raw = typeof repository === 'string' ? repository : typeof repository === 'object' && repository ? (repository as { url?: unknown }).url : undefined;
  if (typeof raw !== 'string' || !raw.trim()) return undefined;
  let s = raw.trim();
  const short = /^(?:github:)?([A-Za-z0-9][\w.-]*)\/([\w.-]+)$/.exec(s);
  if (short) return `https://github.com/${short[1]}/${short[2].replace(/\.git$/, '')}`;
  s = s
    .replace(/^git\+/, '')
    .replace(/^git:\/\//, 'https://')
    .replace(/^ssh:\/\/git@/, 'https://')
    .replace(/\.git$/, '')
    .replace(/\/+$/, '');
  const scp = /^git@([^:]+):(.+)$/.exec(s);
  if (scp) s = `https://${scp[1]}/${scp[2]}`;
  return /^https?:\/\/[^/]+\/.+/.test(s) ? s : undefined;
}

/** Crosswire's own package.json (named "crosswire"), found upwards from `from` (this module's folder). */
export function packageFacts(from: string = __dirname): PackageFacts {
  let dir = from;
  for (let i = 0; i < 8; i++) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
      if (pkg && pkg.name === 'crosswire') {
        const repositoryWeb = repositoryWebUrl(pkg.repository);
        const homepage = typeof pkg.homepage === 'string' && /^https?:\/\//.test(pkg.homepage) ? pkg.homepage : undefined;
        return { root: dir, version: String(pkg.version ?? '0.0.0'), informationUri: homepage ?? repositoryWeb ?? FALLBACK_URI, repositoryWeb, homepage };
      }
    } catch {
      /* not here */
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return { version: '0.0.0', informationUri: FALLBACK_URI };
}

/**
 * The base (ending in '/') that a rule's repository-relative docs url (`docs/rules/<id>.md`) resolves against.
 * - `remote`: the repository's web pages (`<repository>/blob/HEAD/`), else the homepage; the local copy when
 *   package.json names neither.
 * - `local`: the pages shipped next to the package (file:// URI), else the remote base.
 * Undefined when there is neither (the url then stays repository-relative).
 */
export function docsBaseUri(prefer: 'local' | 'remote', facts: PackageFacts = packageFacts()): string | undefined {
  const remote = facts.repositoryWeb ? `${facts.repositoryWeb}/blob/HEAD/` : facts.homepage ? facts.homepage.replace(/\/*$/, '/') : undefined;
  const local = facts.root && isDir(path.join(facts.root, 'docs', 'rules')) ? dirUri(facts.root) : undefined;
  return prefer === 'remote' ? (remote ?? local) : (local ?? remote);
}

/** A rule's docs url (repository-relative, or already absolute) resolved against a base from {@link docsBaseUri}. */
export function docsHref(url: string, base: string | undefined): string {
  if (!base || /^[a-z][a-z0-9+.-]*:/i.test(url)) return url;
  try {
    return new URL(url, base).href;
  } catch {
    return url;
  }
}

function dirUri(dir: string): string {
  const href = pathToFileURL(dir).href;
  return href.endsWith('/') ? href : href + '/';
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
