import type { Finding, Location, Severity } from '../../model/types';
import { fingerprints } from '../baseline';
import { dirUri, helpUri, oneBased, oneLine, relPath, type FormatContext, type RuleMeta } from './common';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const SRCROOT = '%SRCROOT%';
/** Versioned: a change of what the fingerprint hashes must not match the old ones by accident. */
export const FINGERPRINT_KEY = 'crosswireFingerprint/v1';

type SarifLevel = 'error' | 'warning' | 'note';

export function sarifLevel(severity: Severity): SarifLevel {
  return severity === 'error' ? 'error' : severity === 'warning' ? 'warning' : 'note';
}

/** A relative URI reference for a relative path: each segment percent-encoded ('#', '%', spaces...). */
function relUri(rel: string): string {
  return rel
    .split('/')
    .map((seg) => encodeURIComponent(seg))
    .join('/');
}

interface SarifPhysicalLocation {
  artifactLocation: { uri: string; uriBaseId: string };
  region: { startLine: number; startColumn: number; endLine: number; endColumn: number };
}

function physicalLocation(loc: Location, ctx: FormatContext): SarifPhysicalLocation {
  const p = oneBased(loc.range);
  return {
    artifactLocation: { uri: relUri(relPath(ctx, loc.file)), uriBaseId: SRCROOT },
    region: { startLine: p.line, startColumn: p.column, endLine: p.endLine, endColumn: p.endColumn },
  };
}

function ruleDescriptor(rule: RuleMeta, ctx: FormatContext) {
  const uri = helpUri(rule.docs.url, ctx.tool?.docsBaseUri);
  const description = rule.docs.description || rule.id;
  return {
    id: rule.id,
    shortDescription: { text: description },
    fullDescription: { text: description },
    helpUri: uri,
    help: { text: `${/[.!?]$/.test(description) ? description : description + '.'} See ${uri}`, markdown: `${description}\n\nSee [${rule.id}](${uri}).` },
    defaultConfiguration: { level: sarifLevel(rule.defaultSeverity) },
    properties: { fixable: rule.fixable },
  };
}

/** SARIF 2.1.0 log with one run. */
export function toSarif(findings: readonly Finding[], ctx: FormatContext) {
  const rules: RuleMeta[] = [...ctx.rules];
  // Findings of rules the engine does not list (e.g. parse-error) still need a descriptor.
  for (const f of findings) {
    if (!rules.some((r) => r.id === f.ruleId)) {
      rules.push({
        id: f.ruleId,
        docs: { description: f.ruleId, url: `docs/rules/${f.ruleId}.md` },
        defaultSeverity: f.severity,
        fixable: false,
      });
    }
  }
  const index = new Map(rules.map((r, i) => [r.id, i] as const));
  const tool = ctx.tool ?? { name: 'Crosswire', version: '0.0.0', informationUri: 'https://example.invalid/crosswire' };

  const prints = fingerprints(findings, ctx.baseDir);
  const results = findings.map((f, i) => {
    const result: Record<string, unknown> = {
      ruleId: f.ruleId,
      ruleIndex: index.get(f.ruleId),
      level: sarifLevel(f.severity),
      message: { text: oneLine(f.message) },
      locations: [{ physicalLocation: physicalLocation(f.location, ctx) }],
      // Code scanning matches an alert across commits by these (rule, file, line text; not the line number).
      partialFingerprints: { [FINGERPRINT_KEY]: prints[i] },
    };
    if (f.related.length > 0) {
      result.relatedLocations = f.related.map((r, i) => ({
        id: i + 1,
        physicalLocation: physicalLocation(r.location, ctx),
        message: { text: oneLine(r.message) },
      }));
    }
    const properties: Record<string, unknown> = {};
    if (f.appId !== undefined) properties.app = f.appId;
    if (f.fixes.length > 0) properties.fixes = f.fixes.map((x) => x.title);
    if (Object.keys(properties).length > 0) result.properties = properties;
    return result;
  });

  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0' as const,
    runs: [
      {
        tool: {
          driver: {
            name: tool.name,
            informationUri: tool.informationUri,
            version: tool.version,
            semanticVersion: tool.version,
            rules: rules.map((r) => ruleDescriptor(r, ctx)),
          },
        },
        columnKind: 'utf16CodeUnits',
        originalUriBaseIds: { [SRCROOT]: { uri: dirUri(ctx.baseDir) } },
        results,
      },
    ],
  };
}

export function formatSarif(findings: readonly Finding[], ctx: FormatContext): string {
  return JSON.stringify(toSarif(findings, ctx), null, 2) + '\n';
}
