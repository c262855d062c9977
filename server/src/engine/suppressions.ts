/**
 * What the user turned down or off: configured severities, `ignore` globs, `crosswire-disable` comments, a package.json's
 * `"crosswire": { "disable": [...] }` key and the config's `suppress` entries; and the unused-suppression findings for
 * those that suppress nothing.
 */
import type { ConfigSuppression, CrosswireConfig, Finding, TextEditAt } from '../model/types';
import { commentPrefix } from '../parsers/suppressions';
import type { WorkspaceIndex } from '../index/workspace';
import { pushTo } from '../facts/util';

export class Suppressions {
  /** Severity-overridden copies of rule findings (the copy is kept while the finding is). */
  private overridden = new WeakMap<Finding, Finding>();

  constructor(
    private readonly index: WorkspaceIndex,
    private readonly knownRuleIds: ReadonlySet<string>,
    /** Recomputes one file's final findings (the engine's): a config file whose entries changed use. */
    private readonly refreshFile: (file: string) => void,
  ) {}

  applySeverities(findings: Finding[]): Finding[] {
    const sev = this.index.config.rules;
    const out: Finding[] = [];
    for (const f of findings) {
      const s = sev[f.ruleId];
      if (s === 'off') continue;
      if (this.index.isIgnored(f.location.file)) continue;
      out.push(s && s !== f.severity ? this.withSeverity(f, s) : f);
    }
    return out;
  }

  /** A copy of a finding with another severity; its fixes stay the original's (they may be computed on demand). */
  private withSeverity(f: Finding, severity: Finding['severity']): Finding {
    const hit = this.overridden.get(f);
    if (hit && hit.severity === severity) return hit;
    const copy = { ...f, severity };
    Object.defineProperty(copy, 'fixes', { get: () => f.fixes, enumerable: true, configurable: true });
    this.overridden.set(f, copy);
    return copy;
  }

  /** Whether each `suppress` entry of the config suppressed a finding (absent: not yet, or its file has none). */
  private configSuppressUsed = new Map<ConfigSuppression, boolean>();
  /** Config files whose unused-suppression findings must be recomputed (an entry's use changed). */
  private readonly configSuppressDirty = new Set<string>();

  /** The config's `suppress` entries by the file they apply to (recomputed when the config object changes). */
  private suppressByFile(): Map<string, ConfigSuppression[]> {
    const config = this.index.config;
    if (this.suppressCache?.config !== config) {
      const byFile = new Map<string, ConfigSuppression[]>();
      for (const s of config.suppress ?? []) pushTo(byFile, s.file, s);
      this.suppressCache = { config, byFile };
      this.configSuppressUsed = new Map();
    }
    return this.suppressCache.byFile;
  }
  private suppressCache: { config: CrosswireConfig; byFile: Map<string, ConfigSuppression[]> } | undefined;

  /** Refreshes the config files whose `suppress` entries changed use during a pass (after the files they apply to). */
  refreshConfig(): void {
    for (let i = 0; i < 3 && this.configSuppressDirty.size; i++) {
      const files = [...this.configSuppressDirty];
      this.configSuppressDirty.clear();
      for (const f of files) this.refreshFile(f);
    }
  }

  /**
   * Drops the file's findings under `crosswire-disable...` directives, the `"crosswire": { "disable": [...] }` key of
   * a package.json and the config's `suppress` entries for the file; reports the directives and entries that
   * suppress nothing (unused-suppression; a config's entries are reported in the config file).
   */
  apply(file: string, input: Finding[]): Finding[] {
    const entries = this.suppressByFile().get(file);
    let findings = input;
    if (entries) {
      const kept: Finding[] = [];
      const used = new Set<ConfigSuppression>();
      for (const f of findings) {
        const hit = entries.filter((s) => s.rule === f.ruleId && (s.line === undefined || s.line - 1 === f.location.range.start.line));
        for (const s of hit) used.add(s);
        if (!hit.length) kept.push(f);
      }
      for (const s of entries) {
        if ((this.configSuppressUsed.get(s) ?? false) !== used.has(s)) this.configSuppressDirty.add(s.source.file);
        this.configSuppressUsed.set(s, used.has(s));
      }
      findings = kept;
    }
    const configUnused = this.unusedConfigSuppressions(file);
    const dirs = this.index.files.get(file)?.suppressions ?? [];
    if (dirs.length === 0) return configUnused.length ? [...findings, ...configUnused] : findings;
    const out: Finding[] = [...configUnused];
    const used = new Set<string>();
    for (const f of findings) {
      let suppressed = false;
      for (const d of dirs) {
        const covers = d.rules.length === 0 || d.rules.includes(f.ruleId);
        if (!covers) continue;
        if (d.kind === 'file' || d.line + 1 === f.location.range.start.line) {
          suppressed = true;
          used.add(`${d.line}\0${d.rules.length ? f.ruleId : '*'}`);
        }
      }
      if (!suppressed) out.push(f);
    }
    if (this.index.config.rules['unused-suppression'] === 'off') return out;
    const severity = (this.index.config.rules['unused-suppression'] as Finding['severity'] | undefined) ?? 'info';
    for (const d of dirs) {
      const range = { start: { line: d.line, character: d.start }, end: { line: d.line, character: d.end } };
      const unusedRules = d.rules.length === 0 ? (used.has(`${d.line}\0*`) ? [] : ['*']) : d.rules.filter((r) => !used.has(`${d.line}\0${r}`));
      for (const r of unusedRules) {
        const what = r === '*' ? 'any rule' : `"${r}"`;
        const message =
          d.origin === 'package.json'
            ? `Unused "crosswire.disable" entry: no finding of ${what} in this package.json.`
            : r !== '*' && !this.knownRuleIds.has(r)
              ? `Unknown rule id "${r}" in a crosswire-disable directive.`
              : `Unused crosswire-disable directive: no finding of ${what} ${d.kind === 'file' ? 'in this file' : 'on the next line'}.`;
        out.push({ ruleId: 'unused-suppression', severity, message, location: { file, range }, related: [], fixes: [] });
      }
    }
    return out;
  }

  /** unused-suppression findings for the config's `suppress` entries written in this file that suppressed nothing. */
  private unusedConfigSuppressions(file: string): Finding[] {
    const all = this.index.config.suppress;
    if (!all?.length || this.index.config.rules['unused-suppression'] === 'off') return [];
    const severity = (this.index.config.rules['unused-suppression'] as Finding['severity'] | undefined) ?? 'info';
    this.suppressByFile();
    const out: Finding[] = [];
    for (const s of all) {
      if (s.source.file !== file || this.configSuppressUsed.get(s)) continue;
      const message = `Unused "suppress" entry: no finding of "${s.rule}" in ${s.written}${s.line !== undefined ? ` on line ${s.line}` : ''}.`;
      out.push({ ruleId: 'unused-suppression', severity, message, location: s.source, related: [], fixes: [] });
    }
    return out;
  }
}

/** "Disable <rule> for this line": the directive comment to insert above a finding's line, if the format has comments. */
export function disableEdit(index: WorkspaceIndex, finding: Finding): TextEditAt | undefined {
  const prefix = commentPrefix(finding.location.file);
  const text = index.textOf(finding.location.file);
  if (!prefix || text === undefined) return undefined;
  const line = finding.location.range.start.line;
  const lineText = text.split(/\r\n|\r|\n/)[line] ?? '';
  const indent = /^\s*/.exec(lineText)![0];
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const at = { line, character: 0 };
  return { file: finding.location.file, range: { start: at, end: at }, newText: `${indent}${prefix} crosswire-disable-next-line ${finding.ruleId}${eol}` };
}
