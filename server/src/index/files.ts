/**
 * The files of the index: discovery, safe reads from disk (bounded, never through a link or a FIFO), open
 * documents' unsaved text (overlays, which win over the disk), and the parsed entry of every file Crosswire
 * reads, with the reasons files were skipped. No app is derived here (apps.ts, workspace.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../model/types';
import { classifyEnvFile } from '../parsers/env';
import { discover, fileKind, readIndexable, readIndexableSync, type FileKind, type ReadResult } from './discovery';
import { parseIndexedFile, type IndexedFile } from './ingest';
import { relativeTo, resolved } from '../model/paths';

export function norm(p: string): string {
  return resolved(p);
}

export class FileStore {
  readonly files = new Map<string, IndexedFile>();
  readonly overlays = new Map<string, string>();
  /** Files that were skipped, with the reason (too large, unreadable, binary...). */
  readonly skipped = new Map<string, string>();
  /** The files among them that Crosswire would have read (reported on the file as parse-error, info: never a silent all clear). */
  readonly unread = new Map<string, string>();

  constructor(
    readonly roots: readonly string[],
    /** The largest file read, in bytes (the engine options'). */
    private readonly maxFileSize: () => number,
    private readonly log: Logger,
    private readonly ruleIds: ReadonlySet<string> = new Set(),
    /** Called after each batch of files read (the CLI's progress line). */
    private readonly onProgress?: (filesRead: number) => void,
  ) {}

  textOf(file: string): string | undefined {
    const overlay = this.overlays.get(file);
    if (overlay !== undefined) return overlay;
    const f = this.files.get(file);
    if (!f) return undefined;
    if (!f.textDropped) return f.text;
    // A source file with no facts keeps no text in memory (most of a monorepo's code): read on demand.
    const r = readIndexableSync(file, this.realRoots(), this.maxFileSize());
    return 'text' in r ? r.text : undefined;
  }

  rootOf(file: string): string | undefined {
    let best: string | undefined;
    for (const r of this.roots) {
      if ((file === r || file.startsWith(r.endsWith(path.sep) ? r : r + path.sep)) && (!best || r.length > best.length)) best = r;
    }
    return best;
  }

  kindOf(file: string): FileKind | undefined {
    const root = this.rootOf(file);
    if (!root) return undefined;
    return fileKind(relativeTo(root, file), classifyEnvFile);
  }

  /** Forgets every file, then discovers and reads every root's files. */
  async readAll(): Promise<void> {
    this.files.clear();
    this.skipped.clear();
    this.unread.clear();
    this._realRoots = undefined;
    for (const root of this.roots) {
      let found: string[];
      try {
        found = await discover(root, (file, reason, level) => this.skip(file, reason, level, false));
      } catch (e) {
        this.log.warn(`Could not list files under ${root}: ${(e as Error).message}`);
        continue;
      }
      await this.loadAll(found.map(norm));
    }
  }

  /**
   * Reads and parses the listed files: synchronous reads in batches (measured: about twice as fast as
   * promise-based reads here, the parsing being synchronous anyway), yielding between batches so
   * requests are still served. (Parse worker threads were measured too: no gain on 2 cores, where V8's
   * background compiler and GC threads already keep the second core busy during a cold indexing.)
   */
  private async loadAll(listed: string[]): Promise<void> {
    const BATCH = 128;
    for (let i = 0; i < listed.length; i += BATCH) {
      for (const f of listed.slice(i, i + BATCH)) this.loadFromDiskSync(f, true);
      this.onProgress?.(this.files.size);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** An open document's text (undefined: it closed, back to the disk text). False when Crosswire does not read the file. */
  setOverlay(file: string, text: string | undefined): boolean {
    if (text === undefined) this.overlays.delete(file);
    else this.overlays.set(file, text);
    const kind = this.kindOf(file);
    if (!kind) return false;
    if (text !== undefined) this.ingest(file, kind, text);
    else {
      // Back to disk (also when the open text was skipped): re-read synchronously, bounded by maxFileSize, never through a link or a FIFO.
      this.accept(file, kind, readIndexableSync(file, this.realRoots(), this.maxFileSize()));
    }
    return true;
  }

  private loadFromDiskSync(file: string, listedAsFile = false): void {
    const kind = this.kindToRead(file);
    if (kind === 'web-entry') this.accept(file, kind, presence(file));
    else if (kind) this.accept(file, kind, readIndexableSync(file, this.realRoots(), this.maxFileSize(), listedAsFile));
  }

  /** Re-reads one file from disk (or drops it when it is gone); the open-document overlay, if any, still wins. */
  async loadFromDisk(file: string): Promise<void> {
    const kind = this.kindToRead(file);
    if (kind === 'web-entry') this.accept(file, kind, presence(file));
    else if (kind) this.accept(file, kind, await readIndexable(file, this.realRoots(), this.maxFileSize()));
  }

  /** The kind of a file that must be read from disk; handles files Crosswire does not read and open documents (whose text wins). */
  private kindToRead(file: string): FileKind | undefined {
    const kind = this.kindOf(file);
    if (!kind) {
      this.files.delete(file);
      return undefined;
    }
    if (this.overlays.has(file)) {
      this.ingest(file, kind, this.overlays.get(file)!);
      return undefined;
    }
    return kind;
  }

  /** The roots with symbolic links resolved (to tell whether a link points outside the workspace). */
  private _realRoots: string[] | undefined;
  private realRoots(): string[] {
    if (!this._realRoots) {
      this._realRoots = this.roots.map((r) => {
        try {
          return fs.realpathSync(r);
        } catch {
          return r;
        }
      });
    }
    return this._realRoots;
  }

  /** Ingests what was read from disk, or drops the file with the reason it was skipped. */
  private accept(file: string, kind: FileKind, r: ReadResult): void {
    if ('text' in r) {
      this.skipped.delete(file);
      this.unread.delete(file);
      this.ingest(file, kind, r.text);
      return;
    }
    this.files.delete(file);
    if ('skip' in r) this.skip(file, r.skip, r.level);
    else {
      this.skipped.delete(file);
      this.unread.delete(file);
      this.log.debug?.(`${file} is gone`);
    }
  }

  /** Records and logs why a file is not analysed (the CLI shows it with --verbose, the server in its output). */
  private skip(file: string, reason: string, level: 'info' | 'warn' = 'warn', isFile = true): void {
    this.skipped.set(file, reason);
    if (isFile) this.unread.set(file, reason);
    this.log[level](`Skipped ${file}: ${reason}`);
  }

  /** Parses one file's text into the index (or records why it is skipped). Never throws. */
  private ingest(file: string, kind: FileKind, rawText: string): void {
    const r = parseIndexedFile(
      file,
      kind,
      rawText,
      this.rootOf(file) ?? path.dirname(file),
      { maxFileSize: this.maxFileSize(), ruleIds: this.ruleIds, keepText: this.overlays.has(file) },
      this.log,
    );
    if ('entry' in r) {
      this.files.set(file, r.entry);
      this.unread.delete(file);
    } else {
      this.files.delete(file);
      this.skip(file, r.skip, r.level);
    }
  }

  /** Whether the disk holds the text indexed for a file (not an open document's; a file not indexed is never current). */
  isCurrentOnDisk(file: string): boolean {
    const f = this.files.get(file);
    if (!f || f.textDropped) return false;
    const r = readIndexableSync(file, this.realRoots(), this.maxFileSize());
    if (!('text' in r)) return false;
    const disk = r.text.charCodeAt(0) === 0xfeff ? r.text.slice(1) : r.text;
    return disk === f.text;
  }
}

/** A file only whose presence is read (a web app's index.html): never opened, whatever its size. */
function presence(file: string): ReadResult {
  try {
    return fs.lstatSync(file).isFile() ? { text: '' } : { gone: true };
  } catch {
    return { gone: true };
  }
}
