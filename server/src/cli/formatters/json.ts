import type { Finding } from '../../model/types';
import { oneBased, relPath, type FormatContext } from './common';

export interface JsonRelated {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  message: string;
}

export interface JsonFinding {
  ruleId: string;
  severity: Finding['severity'];
  message: string;
  /** Relative to the base directory, forward slashes. */
  file: string;
  /** 1-based. */
  line: number;
  column: number;
  endLine: number;
  /** 1-based, exclusive. */
  endColumn: number;
  /** The app's id (its folder relative to its workspace root), or null. */
  app: string | null;
  /** The app's package name, or null. */
  appName: string | null;
  related: JsonRelated[];
  fixable: boolean;
  /** Titles of the quick fixes. The edits are never printed (they may hold generated secrets). */
  fixes: string[];
}

export function toJsonFindings(findings: readonly Finding[], ctx: FormatContext): JsonFinding[] {
  const names = new Map((ctx.apps ?? []).map((a) => [a.id, a.name] as const));
  return findings.map((f) => ({
    ruleId: f.ruleId,
    severity: f.severity,
    message: f.message,
    file: relPath(ctx, f.location.file),
    ...oneBased(f.location.range),
    app: f.appId ?? null,
    appName: f.appId !== undefined ? (names.get(f.appId) ?? null) : null,
    related: f.related.map((r) => ({
      file: relPath(ctx, r.location.file),
      ...oneBased(r.location.range),
      message: r.message,
    })),
    fixable: f.fixes.length > 0,
    fixes: f.fixes.map((x) => x.title),
  }));
}

/** A JSON array of findings. */
export function formatJson(findings: readonly Finding[], ctx: FormatContext): string {
  return JSON.stringify(toJsonFindings(findings, ctx), null, 2) + '\n';
}
