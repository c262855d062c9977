/**
 * Code actions: the rules' quick fixes for the Crosswire diagnostics of a request, "Disable <rule> for this
 * line" and "Show documentation for <rule>"; and `source.fixAll.crosswire` (for `editor.codeActionsOnSave`): the
 * safe fixes of the document at once (engine/fixes.ts picks them; never a fix that writes a secret). Fixes are computed from the engine's state and carry the document versions that state is for: a fix
 * for a text that changed meanwhile is never returned.
 */
import { CancellationToken, CodeAction, CodeActionKind, CodeActionParams, Diagnostic, LSPErrorCodes, ResponseError } from 'vscode-languageserver/node';
import type { Engine } from '../engine';
import type { Finding, Fix, TextEditAt } from '../model/types';
import type { ServerContext } from './context';
import { SOURCE, fileToUri, findingKey, toCodeAction, toWorkspaceEdit, uriToFile } from './convert';
import type { DocumentSync } from './documents';
import { errorStack } from './errors';
import { FIX_ALL_KIND, SHOW_DOCS_COMMAND, type DiagnosticData } from './protocol';
import { planFixes } from '../engine/fixes';

const SAFE_ONLY = new Set(['safe'] as const);

/** Whether a requested kind (`only`) covers a code action kind: equal, or a parent of it ("source" covers "source.fixAll.crosswire"). */
function covers(requested: string, kind: string): boolean {
  return requested === kind || kind.startsWith(requested + '.');
}

interface Pass {
  engine: Engine;
  actions: CodeAction[];
  /** Fixes withheld because a document or a file changed under them. */
  stale: number;
}

export class CodeActions {
  constructor(
    private readonly ctx: ServerContext,
    private readonly sync: DocumentSync,
  ) {}

  async provide(p: CodeActionParams, token?: CancellationToken): Promise<CodeAction[] | ResponseError<void>> {
    const only = p.context.only;
    // Quick fixes when no kind is asked for; the fix-all source action only when asked for (on save, "Source Action...").
    const quickFixes = !only || only.some((k) => covers(k, CodeActionKind.QuickFix) || k === CodeActionKind.Empty);
    const fixAll = !!only && only.some((k) => k !== CodeActionKind.Empty && covers(k, FIX_ALL_KIND));
    if (!quickFixes && !fixAll) return [];
    // Fixes are computed from the engine's state and carry the document versions that state is for:
    // an edit that arrives meanwhile makes them stale, and stale fixes are never returned.
    for (let attempt = 0; attempt < 3; attempt++) {
      await this.sync.flush();
      if (token?.isCancellationRequested) return new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
      const result = quickFixes ? this.now(p) : { actions: [], stale: 0 };
      if (fixAll) {
        const all = this.fixAll(p);
        result.actions.push(...all.actions);
        result.stale += all.stale;
      }
      if (result.stale === 0) return result.actions;
      if (attempt === 2) {
        this.ctx.logger.info(`crosswire: ${result.stale} quick fix(es) withheld: the document changed while they were computed`);
        return result.actions;
      }
    }
    return [];
  }

  /** The code actions for the request from the engine's current state, and how many were withheld as stale. */
  private now(p: CodeActionParams): { actions: CodeAction[]; stale: number } {
    const engine = this.ctx.engine;
    if (!engine) return { actions: [], stale: 0 };
    const file = uriToFile(p.textDocument.uri);
    if (!file) return { actions: [], stale: 0 };
    const uri = fileToUri(file);
    const inFile = engine.findingsIn(file);
    const pass: Pass = { engine, actions: [], stale: 0 };
    const seen = new Set<Finding>();
    for (const d of p.context.diagnostics) {
      if (d.source !== SOURCE) continue;
      const data = d.data as Partial<DiagnosticData> | undefined;
      const ruleId = typeof data?.ruleId === 'string' ? data.ruleId : typeof d.code === 'string' ? d.code : undefined;
      if (!ruleId) continue;
      // A diagnostic published for an older version of this document: its fixes would be for that text.
      if (typeof data?.version === 'number' && this.ctx.documents.get(uri) && data.version !== this.sync.analysedVersion(uri)) {
        this.ctx.logger.debug?.(
          `code actions refused for a diagnostic of version ${data.version} (the document is at ${this.ctx.documents.get(uri)?.version})`,
        );
        continue;
      }
      const matches = inFile.filter(
        (f) =>
          f.ruleId === ruleId &&
          f.location.range.start.line === d.range.start.line &&
          f.location.range.start.character === d.range.start.character &&
          (typeof data?.key !== 'string' || data.key === findingKey(f)),
      );
      for (const f of matches) {
        if (seen.has(f)) continue;
        seen.add(f);
        this.forFinding(pass, f, d);
      }
    }
    return { actions: pass.actions, stale: pass.stale };
  }

  /**
   * "Fix all safe Crosswire problems": the safe fixes of the document's findings whose edits stay in the document,
   * as one action; edits that collide with another fix's are left out (the next save or request takes them).
   */
  private fixAll(p: CodeActionParams): { actions: CodeAction[]; stale: number } {
    const engine = this.ctx.engine;
    const file = engine && uriToFile(p.textDocument.uri);
    if (!engine || !file) return { actions: [], stale: 0 };
    const uri = fileToUri(file);
    if (this.sync.isStale(uri)) return { actions: [], stale: 1 };
    if (!this.ctx.documents.get(uri) && !engine.isCurrentOnDisk(file)) {
      this.sync.refreshLater(file);
      return { actions: [], stale: 1 };
    }
    const plan = planFixes(engine.findingsIn(file), {
      kinds: SAFE_ONLY,
      onlyFile: file,
      onError: (fix, e) => this.ctx.logger.error(`crosswire: fix "${fix.title}" failed: ${errorStack(e)}`),
    });
    if (plan.fixes.length === 0) return { actions: [], stale: 0 };
    const edits = plan.fixes.flatMap((f) => f.edits);
    const editOptions = { documentChanges: this.ctx.caps.documentChanges, versionOf: (u: string) => this.sync.analysedVersion(u) };
    const n = plan.fixes.length;
    const action = CodeAction.create(
      n === 1 ? `Fix all safe Crosswire problems (${plan.fixes[0].fix.title})` : `Fix all safe Crosswire problems (${n} fixes)`,
      toWorkspaceEdit(edits, editOptions),
      FIX_ALL_KIND,
    );
    action.diagnostics = [];
    // Titles only: edit texts are never logged.
    this.ctx.logger.debug?.(`fix-all: ${plan.fixes.map((f) => f.fix.title).join('; ')}`);
    return { actions: [action], stale: 0 };
  }

  /** The finding's fixes, then "Disable <rule> for this line", then "Show documentation for <rule>". */
  private forFinding(pass: Pass, f: Finding, d: Diagnostic): void {
    for (const fix of f.fixes) {
      let edits: TextEditAt[];
      try {
        edits = fix.edits();
      } catch (e) {
        this.ctx.logger.error(`crosswire: fix "${fix.title}" failed: ${errorStack(e)}`);
        continue;
      }
      if (edits.length === 0) continue;
      this.push(pass, fix.title, d, edits, fix);
    }
    // "Disable <rule> for this line", like ESLint's: writes a crosswire-disable-next-line comment above it.
    const disable = pass.engine.disableEdit(f);
    if (disable) this.push(pass, `Disable ${f.ruleId} for this line`, d, [disable], { title: `Disable ${f.ruleId} for this line`, edits: () => [disable] });
    // "Show documentation for <rule>", like ESLint's: a command (the server opens the page with window/showDocument).
    const title = `Show documentation for ${f.ruleId}`;
    if (!pass.actions.some((a) => a.title === title)) {
      const docs = CodeAction.create(title, { title, command: SHOW_DOCS_COMMAND, arguments: [f.ruleId] }, CodeActionKind.QuickFix);
      docs.diagnostics = [d];
      pass.actions.push(docs);
    }
  }

  private push(pass: Pass, title: string, d: Diagnostic, edits: TextEditAt[], fix: Fix): void {
    const uris = [...new Set(edits.map((e) => fileToUri(e.file)))];
    if (uris.some((u) => this.sync.isStale(u))) {
      pass.stale++;
      return;
    }
    // A file that is not open: its fix is for the text the engine read. When the disk holds another
    // text (changed, no watcher event yet), the fix would write into the wrong place: withheld, and
    // the file is re-read so the next attempt recomputes it from the new text.
    const changedOnDisk = [...new Set(edits.map((e) => e.file))].filter((f) => !this.ctx.documents.get(fileToUri(f)) && !pass.engine.isCurrentOnDisk(f));
    if (changedOnDisk.length) {
      for (const f of changedOnDisk) this.sync.refreshLater(f);
      pass.stale++;
      return;
    }
    const editOptions = { documentChanges: this.ctx.caps.documentChanges, versionOf: (u: string) => this.sync.analysedVersion(u) };
    pass.actions.push(toCodeAction(fix, d, toWorkspaceEdit(edits, editOptions)));
    // Titles only: edit texts may hold freshly generated secrets.
    this.ctx.logger.debug?.(`code action "${title}" (${edits.length} edit(s))`);
  }
}
