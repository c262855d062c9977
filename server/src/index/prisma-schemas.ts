import * as path from 'node:path';
import type { PackageJsonInfo, PrismaSchemaInfo } from '../model/types';
import { ZERO_RANGE } from '../model/text';
import { compactArrays } from '../model/compact';
import { parsePrismaSchemaUnit, prismaConfigSchemaPath, schemaPathsInScripts } from '../parsers/prisma';
import type { IndexedFile } from './ingest';

/** The `.prisma` files Prisma merges into one schema. */
export interface SchemaUnit {
  /** Absolute paths, sorted. */
  files: string[];
  /** A `.prisma` file within the schema's folder was not read (skipped, too large, ignored). */
  incomplete: boolean;
}

/**
 * Where an app says its schema is, as absolute paths (a `.prisma` file, or a folder whose `.prisma`
 * files, subfolders included, are one schema): `"prisma": { "schema" }` in package.json and `--schema`
 * in its scripts (relative to the package), `schema` in `prisma.config.ts` (relative to that file).
 */
export function declaredSchemaLocations(dir: string, pkg: PackageJsonInfo | undefined, configFiles: readonly IndexedFile[]): string[] {
  const out: string[] = [];
  if (pkg?.prismaSchema) out.push(path.resolve(dir, pkg.prismaSchema));
  if (pkg) for (const p of schemaPathsInScripts(pkg.scripts.map((s) => s.command))) out.push(path.resolve(dir, p));
  for (const c of configFiles) {
    let p = configPaths.get(c);
    if (p === undefined) configPaths.set(c, (p = prismaConfigSchemaPath(c.text, c.file) ?? null));
    if (p) out.push(path.resolve(path.dirname(c.file), p));
  }
  return [...new Set(out)];
}

/** `schema` of each indexed prisma.config file (an edit makes a new IndexedFile): parsed once, not at every derivation. */
const configPaths = new WeakMap<IndexedFile, string | null>();

function isUnder(file: string, dir: string): boolean {
  return file.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);
}

/**
 * Groups an app's `.prisma` files into the schemas Prisma sees:
 * 1. declared folders (widest first), then declared files, then the conventional `prisma/schema/` folder
 *    (the default location of schema folders while they were a preview feature, Prisma 5.15 to 6.6);
 * 2. the other files: those below the nearest folder that directly holds exactly one of their datasource
 *    files form that schema (a `schema.prisma` with its `models/*.prisma`, whatever tells Prisma where they
 *    are); a folder with several datasource files holds alternatives, each file alone; files with no
 *    datasource above them stand alone.
 * Merging is on the safe side for what is reported: Crosswire reports errors on datasource blocks, which
 * another file's generator can only resolve (a preview feature), never cause, and two datasources are
 * merged only where a declaration says so.
 * `unread`: `.prisma` files that exist but were not read; a schema whose folder holds one is incomplete.
 */
export function schemaUnits(
  dir: string,
  files: readonly string[],
  declared: readonly string[],
  unread: readonly string[],
  hasDatasource: (file: string) => boolean,
): SchemaUnit[] {
  const sorted = [...files].sort();
  const claimed = new Set<string>();
  const units: SchemaUnit[] = [];
  const claimFolder = (loc: string) => {
    const members = sorted.filter((f) => !claimed.has(f) && isUnder(f, loc));
    if (members.length === 0) return;
    for (const f of members) claimed.add(f);
    units.push({ files: members, incomplete: unread.some((u) => isUnder(u, loc)) });
  };
  const folders = declared.filter((d) => !d.endsWith('.prisma')).sort((a, b) => a.length - b.length || a.localeCompare(b));
  for (const loc of folders) claimFolder(loc);
  for (const loc of declared) {
    if (loc.endsWith('.prisma') && sorted.includes(loc) && !claimed.has(loc)) {
      claimed.add(loc);
      units.push({ files: [loc], incomplete: false });
    }
  }
  const conventional = new Set<string>();
  for (const f of sorted) {
    for (let d = path.dirname(f); isUnder(d, dir) || d === dir; d = path.dirname(d)) {
      if (path.basename(d) === 'schema' && path.basename(path.dirname(d)) === 'prisma') conventional.add(d);
      if (d === dir) break;
    }
  }
  // A conventional folder holding several datasources is not one schema but alternatives (a generator's templates,
  // of which one is copied into a project): its files are judged as below, each with its own datasource.
  for (const loc of [...conventional].sort((a, b) => a.length - b.length || a.localeCompare(b)))
    if (sorted.filter((f) => !claimed.has(f) && isUnder(f, loc) && hasDatasource(f)).length <= 1) claimFolder(loc);

  const rest = sorted.filter((f) => !claimed.has(f));
  const datasourcesIn = new Map<string, number>();
  for (const f of rest) if (hasDatasource(f)) datasourcesIn.set(path.dirname(f), (datasourcesIn.get(path.dirname(f)) ?? 0) + 1);
  /** Schema folder (or a lone file) -> its files. */
  const groups = new Map<string, { folder: boolean; files: string[] }>();
  for (const f of rest) {
    let root: string | undefined;
    for (let d = path.dirname(f); ; d = path.dirname(d)) {
      const n = datasourcesIn.get(d);
      if (n !== undefined) {
        root = n === 1 ? d : undefined;
        break;
      }
      if (d === dir || !isUnder(d, dir)) break;
    }
    const key = root ?? f;
    const g = groups.get(key);
    if (g) g.files.push(f);
    else groups.set(key, { folder: root !== undefined, files: [f] });
  }
  for (const [key, g] of groups) units.push({ files: g.files, incomplete: g.folder && unread.some((u) => isUnder(u, key)) });
  return units;
}

const DATASOURCE_LINE = /^[ \t]*datasource[ \t]/m;
const MAX_CACHED = 10_000;

/** Parses apps' schemas, cached by schema (its files, their texts, the Prisma line and completeness). */
export class PrismaSchemas {
  private cache = new Map<string, { texts: string[]; infos: PrismaSchemaInfo[] }>();

  clear(): void {
    this.cache.clear();
  }

  /** The schemas of one app, one `PrismaSchemaInfo` per file. */
  forApp(
    dir: string,
    pkg: PackageJsonInfo | undefined,
    prismaFiles: readonly IndexedFile[],
    configFiles: readonly IndexedFile[],
    unread: readonly string[],
    major: number | undefined,
  ): PrismaSchemaInfo[] {
    if (prismaFiles.length === 0) return [];
    const byFile = new Map(prismaFiles.map((f) => [f.file, f]));
    const units = schemaUnits(dir, [...byFile.keys()], declaredSchemaLocations(dir, pkg, configFiles), unread, (f) =>
      DATASOURCE_LINE.test(byFile.get(f)!.text),
    );
    const out: PrismaSchemaInfo[] = [];
    for (const unit of units) {
      const texts = unit.files.map((f) => byFile.get(f)!.text);
      const key = `${major}\0${unit.incomplete}\0${unit.files.join('\0')}`;
      let hit = this.cache.get(key);
      if (!hit || hit.texts.some((t, i) => t !== texts[i])) {
        let infos: PrismaSchemaInfo[];
        try {
          infos = compactArrays(
            parsePrismaSchemaUnit(
              unit.files.map((file, i) => ({ file, text: texts[i] })),
              major,
              { incomplete: unit.incomplete },
            ),
          );
        } catch (e) {
          infos = unit.files.map((file, i) => ({
            file,
            datasources: [],
            problems:
              i === 0 ? [{ message: `Crosswire could not read this schema: ${(e as Error).message}`, range: ZERO_RANGE, severity: 'warning' as const }] : [],
            text: texts[i],
          }));
        }
        hit = { texts, infos };
        if (this.cache.size >= MAX_CACHED) this.cache.clear();
        this.cache.set(key, hit);
      }
      out.push(...hit.infos);
    }
    return out;
  }
}
