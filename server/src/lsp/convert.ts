/**
 * Conversions between the engine's model (absolute paths, Findings, Fixes) and LSP objects
 * (URIs, Diagnostics, WorkspaceEdits). Pure functions, no connection.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CodeAction,
  CodeActionKind,
  Diagnostic,
  DiagnosticRelatedInformation,
  DiagnosticSeverity,
  OptionalVersionedTextDocumentIdentifier,
  Range,
  TextDocumentEdit,
  TextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver/node';
import { URI } from 'vscode-uri';
import type { Finding, Fix, Severity, TextEditAt } from '../model/types';
import type { RuleMeta as Rule } from '../model/rule';
import type { DiagnosticData } from './protocol';
import { docsBaseUri, docsHref, packageFacts, type PackageFacts } from '../docs';

export const SOURCE = 'crosswire';

/** file -> URI: the conversion is pure and the same few thousand files are converted on every publish. */
const uriCache = new Map<string, string>();

export function fileToUri(file: string): string {
  let uri = uriCache.get(file);
  if (uri === undefined) {
    uri = URI.file(file).toString();
    if (uriCache.size >= 200_000) uriCache.clear();
    uriCache.set(file, uri);
  }
  return uri;
}

export function uriToFile(uri: string): string | undefined {
  try {
    const u = URI.parse(uri);
    if (u.scheme !== 'file') return undefined;
    return u.fsPath;
  } catch {
    return undefined;
  }
}

export function toSeverity(s: Severity): DiagnosticSeverity {
  switch (s) {
    case 'error':
      return DiagnosticSeverity.Error;
    case 'warning':
      return DiagnosticSeverity.Warning;
    default:
      return DiagnosticSeverity.Information;
  }
}

/**
 * Links a rule to its docs page: the page shipped with the package (the extension's or the installed package's
 * docs/rules/) when it is there, so an installed extension opens it offline; else the repository's web page. Both
 * bases come from docs.ts (package.json `repository` / `homepage`), shared with the SARIF log and the report.
 */
export class DocsResolver {
  private readonly cache = new Map<string, string>();
  private readonly facts: PackageFacts;

  constructor(startDir: string = __dirname) {
    this.facts = packageFacts(startDir);
  }

  /** Base URI (ending in '/') that repo-relative docs urls resolve against: the local copy first. */
  baseUri(): string | undefined {
    return docsBaseUri('local', this.facts);
  }

  href(ruleId: string, rule?: Rule): string {
    const hit = this.cache.get(ruleId);
    if (hit) return hit;
    const url = rule?.docs.url ?? `docs/rules/${ruleId}.md`;
    const shipped = this.facts.root !== undefined && !/^[a-z][a-z0-9+.-]*:/i.test(url) && isFile(path.join(this.facts.root, ...url.split('/')));
    const href = docsHref(url, docsBaseUri(shipped ? 'local' : 'remote', this.facts));
    this.cache.set(ruleId, href);
    return href;
  }
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

export function findingKey(f: Finding): string {
  const s = f.location.range.start;
  return `${f.ruleId}:${s.line}:${s.character}`;
}

export interface DiagnosticOptions {
  relatedInformation: boolean;
  docs: DocsResolver;
  rules: ReadonlyMap<string, Rule>;
  /** Renders a file for a message when related information is not supported. */
  displayPath(file: string): string;
  /** The analysed version of an open document (recorded in Diagnostic.data), else undefined. */
  versionOf?(file: string): number | undefined;
}

export function toDiagnostic(f: Finding, o: DiagnosticOptions): Diagnostic {
  const data: DiagnosticData = { ruleId: f.ruleId, key: findingKey(f) };
  const version = o.versionOf?.(f.location.file);
  if (version !== undefined) data.version = version;
  const d: Diagnostic = {
    range: f.location.range,
    severity: toSeverity(f.severity),
    source: SOURCE,
    code: f.ruleId,
    codeDescription: { href: o.docs.href(f.ruleId, o.rules.get(f.ruleId)) },
    message: f.message,
    data,
  };
  if (f.related.length > 0) {
    if (o.relatedInformation) {
      d.relatedInformation = f.related.map((r) => DiagnosticRelatedInformation.create({ uri: fileToUri(r.location.file), range: r.location.range }, r.message));
    } else {
      const where = f.related.map((r) => `${o.displayPath(r.location.file)}:${r.location.range.start.line + 1}`);
      d.message = `${f.message} (also: ${[...new Set(where)].join(', ')})`;
    }
  }
  return d;
}

export interface EditOptions {
  documentChanges: boolean;
  /** Version of an open document, else undefined. */
  versionOf(uri: string): number | undefined;
}

/** Groups the fix's edits by file into a WorkspaceEdit. */
export function toWorkspaceEdit(edits: TextEditAt[], o: EditOptions): WorkspaceEdit {
  const byUri = new Map<string, TextEdit[]>();
  for (const e of edits) {
    const uri = fileToUri(e.file);
    let list = byUri.get(uri);
    if (!list) byUri.set(uri, (list = []));
    list.push(TextEdit.replace(e.range, e.newText));
  }
  if (o.documentChanges) {
    const documentChanges: TextDocumentEdit[] = [];
    for (const [uri, list] of byUri) {
      const version = o.versionOf(uri);
      documentChanges.push(TextDocumentEdit.create(OptionalVersionedTextDocumentIdentifier.create(uri, version ?? null), list));
    }
    return { documentChanges };
  }
  const changes: { [uri: string]: TextEdit[] } = {};
  for (const [uri, list] of byUri) changes[uri] = list;
  return { changes };
}

export function toCodeAction(fix: Fix, diagnostic: Diagnostic, edit: WorkspaceEdit): CodeAction {
  const action = CodeAction.create(fix.title, edit, CodeActionKind.QuickFix);
  action.diagnostics = [diagnostic];
  if (fix.preferred) action.isPreferred = true;
  return action;
}

/** Stable comparison of two diagnostic lists. */
export function sameDiagnostics(a: readonly Diagnostic[] | undefined, b: readonly Diagnostic[]): boolean {
  if (!a) return b.length === 0;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameDiagnostic(a[i], b[i])) return false;
  return true;
}

function sameRange(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

/** Field by field (a JSON.stringify of every file's diagnostics on every edit was a fifth of an edit's cost). */
function sameDiagnostic(a: Diagnostic, b: Diagnostic): boolean {
  if (a.message !== b.message || a.severity !== b.severity || a.code !== b.code || a.source !== b.source || !sameRange(a.range, b.range)) return false;
  if (a.codeDescription?.href !== b.codeDescription?.href) return false;
  const da = a.data as DiagnosticData | undefined;
  const db = b.data as DiagnosticData | undefined;
  if (da?.ruleId !== db?.ruleId || da?.key !== db?.key || da?.version !== db?.version) return false;
  const ra = a.relatedInformation ?? [];
  const rb = b.relatedInformation ?? [];
  if (ra.length !== rb.length) return false;
  for (let i = 0; i < ra.length; i++) {
    if (ra[i].message !== rb[i].message || ra[i].location.uri !== rb[i].location.uri || !sameRange(ra[i].location.range, rb[i].location.range)) return false;
  }
  return true;
}
