import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Finding, Range, Severity } from '../../model/types';
import type { RuleMeta as Rule } from '../../model/rule';
import { docsHref } from '../../docs';

/** What a formatter needs to know about a rule (a subset of the engine's Rule). */
export type RuleMeta = Pick<Rule, 'id' | 'docs' | 'defaultSeverity' | 'fixable'>;

export interface AppMeta {
  id: string;
  name: string;
  dir: string;
}

export interface FormatContext {
  /** Absolute directory every printed path is relative to (the single DIR, else the current directory). */
  baseDir: string;
  /** The audited workspace folders (absolute). */
  roots: readonly string[];
  /** Rule metadata (engine.rules). */
  rules: readonly RuleMeta[];
  /** The indexed apps (for app names and the "No problems found in N apps." line). */
  apps?: readonly AppMeta[];
  /** ANSI colours (text format only). */
  color?: boolean;
  /** Tool facts for SARIF. */
  tool?: ToolInfo;
  /**
   * How the text format shows a path (the CLI: relative to the current directory, so it opens from the
   * terminal, absolute outside it). Without it, relative to baseDir. json and sarif always use baseDir.
   */
  shownPath?: (file: string) => string;
  /** A baseline was applied: its file, how many findings it hid, how many of its findings no longer occur. */
  baseline?: { file: string; hidden: number; fixed: number };
}

export interface ToolInfo {
  name: string;
  version: string;
  informationUri: string;
  /**
   * Absolute URI that a rule's repo-relative docs url (docs/rules/<id>.md) is resolved against,
   * ending with '/'. Without it, helpUri is the repo-relative url.
   */
  docsBaseUri?: string;
}

/** A path relative to the base directory, with forward slashes. */
export function relPath(ctx: Pick<FormatContext, 'baseDir'>, file: string): string {
  const rel = path.relative(ctx.baseDir, file);
  return (rel === '' ? '.' : rel).split(path.sep).join('/');
}

/** `file:///abs/dir/` (with the trailing slash SARIF requires of a base URI). */
export function dirUri(dir: string): string {
  const href = pathToFileURL(dir).href;
  return href.endsWith('/') ? href : href + '/';
}

export function fileUri(file: string): string {
  return pathToFileURL(file).href;
}

/** 1-based positions; end column is exclusive (the column after the last character). */
export interface OneBased {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export function oneBased(range: Range): OneBased {
  return {
    line: range.start.line + 1,
    column: range.start.character + 1,
    endLine: range.end.line + 1,
    endColumn: range.end.character + 1,
  };
}

export function helpUri(ruleDocsUrl: string, docsBaseUri?: string): string {
  return docsHref(ruleDocsUrl, docsBaseUri);
}

export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity] = (counts[f.severity] ?? 0) + 1;
  return counts;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Messages are one line in every format. */
export function oneLine(message: string): string {
  return message.replace(/\s*\r?\n\s*/g, ' ').trim();
}

export type Formatter = (findings: readonly Finding[], ctx: FormatContext) => string;
