/**
 * Targets that Nx plugins infer (Nx 18+, "inferred tasks"): a project with a `next.config.*` under `@nx/next/plugin`
 * has a `dev` target running `next dev` although neither its package.json nor its project.json names one. Only the
 * plugins whose server targets Crosswire can read are modelled, each as its source defines them:
 * - `@nx/next/plugin` (a `next.config.{ts,js,cjs,mjs}`): `dev` runs `next dev`, `start` and `serve-static` run `next start`;
 * - `@nx/vite/plugin` (a `vite.config.*` of a buildable app: an `index.html` beside it, not a library build unless the
 *   config has a `server` section): `serve` and `dev` run `vite`, `preview` runs `vite preview`;
 * - `@nx/nuxt/plugin` (a `nuxt.config.*`): `serve` runs `nuxi dev`.
 * Target names follow the plugin's options in nx.json (`devTargetName`, ...); `include`/`exclude` globs limit the
 * projects a plugin sees. A target the project declares itself (project.json, package.json's `nx` key) is merged over
 * the inferred one as Nx merges it (its options over the inferred options; its own command or executor replaces the
 * inferred command), and a package.json script of the same name wins (Nx runs the script).
 */
import * as path from 'node:path';
import picomatch from 'picomatch';
import type { App } from '../model/types';
import type { IndexedFile } from './ingest';

export type NxTarget = {
  executor?: unknown;
  options?: Record<string, unknown>;
  configurations?: Record<string, unknown>;
  defaultConfiguration?: unknown;
  command?: unknown;
  /** Set on a target a plugin inferred: the plugin's name (`@nx/next/plugin`) and the config file it inferred it from. */
  inferredBy?: string;
  inferredFrom?: string;
};

interface PluginSpec {
  /** Config file names, one of which in the project folder makes the plugin infer its targets. */
  configs: readonly string[];
  /** Target option name -> [default target name, command]. */
  targets: Readonly<Record<string, readonly [string, string]>>;
  /** Further condition on the project (Vite: a buildable app). */
  applies?: (app: App, configFile: IndexedFile, files: Map<string, IndexedFile>) => boolean;
}

const exts = (base: string, list: readonly string[]) => list.map((e) => `${base}.${e}`);

const PLUGINS: Readonly<Record<string, PluginSpec>> = {
  '@nx/next/plugin': {
    configs: exts('next.config', ['ts', 'js', 'cjs', 'mjs']),
    targets: { devTargetName: ['dev', 'next dev'], startTargetName: ['start', 'next start'], serveStaticTargetName: ['serve-static', 'next start'] },
  },
  '@nx/vite/plugin': {
    configs: exts('vite.config', ['js', 'ts', 'mjs', 'mts', 'cjs', 'cts']),
    targets: { serveTargetName: ['serve', 'vite'], devTargetName: ['dev', 'vite'], previewTargetName: ['preview', 'vite preview'] },
    // Nx infers the servers only for a buildable project (an index.html, or a library build), and not for a library
    // build unless the config has a `server` section. A config whose text Crosswire did not keep counts as no library.
    applies: (app, config, files) => {
      const text = config.textDropped ? '' : config.text;
      const library = /\blib\s*:/.test(text);
      const html = files.get(path.join(app.dir, 'index.html'))?.kind === 'web-entry';
      return library ? /\bserver\s*:/.test(text) : html;
    },
  },
  '@nx/nuxt/plugin': {
    configs: exts('nuxt.config', ['js', 'ts', 'mjs', 'mts', 'cjs', 'cts']),
    targets: { serveTargetName: ['serve', 'nuxi dev'] },
  },
};

/** The folder of nx.json above `dir` (the Nx workspace root), within `root`; `root` when none is indexed. */
export function nxWorkspaceRoot(dir: string, root: string, files: Map<string, IndexedFile>): string {
  for (let d = dir; ; d = path.dirname(d)) {
    if (files.has(path.join(d, 'nx.json'))) return d;
    if (d === root || !d.startsWith(root) || path.dirname(d) === d) return root;
  }
}

/** The server targets the plugins of the Nx workspace above `app` infer for it, by target name. */
export function nxInferredTargets(app: App, files: Map<string, IndexedFile>): Record<string, NxTarget> {
  const out: Record<string, NxTarget> = {};
  const wsRoot = nxWorkspaceRoot(app.dir, app.root, files);
  const nx = files.get(path.join(wsRoot, 'nx.json'))?.repoConfig?.data as { plugins?: unknown } | undefined;
  if (!nx || !Array.isArray(nx.plugins)) return out;
  for (const entry of nx.plugins) {
    const name = typeof entry === 'string' ? entry : entry && typeof entry === 'object' ? (entry as { plugin?: unknown }).plugin : undefined;
    const spec = typeof name === 'string' ? PLUGINS[name] : undefined;
    if (!spec) continue;
    const configFile = spec.configs.map((c) => files.get(path.join(app.dir, c))).find((f) => f !== undefined);
    if (!configFile) continue;
    const opts = typeof entry === 'object' ? (entry as { options?: Record<string, unknown>; include?: unknown; exclude?: unknown }) : {};
    const rel = path.relative(wsRoot, configFile.file).split(path.sep).join('/');
    if (!globsAdmit(rel, opts.include, opts.exclude)) continue;
    if (spec.applies && !spec.applies(app, configFile, files)) continue;
    for (const [option, [def, command]] of Object.entries(spec.targets)) {
      const targetName = typeof opts.options?.[option] === 'string' ? (opts.options[option] as string) : def;
      // The first plugin to infer a target keeps it only until a later one infers the same name (Nx: later plugins win).
      out[targetName] = { command, options: {}, inferredBy: name as string, inferredFrom: configFile.file };
    }
  }
  return out;
}

/** A plugin entry's `include` / `exclude` globs (workspace-relative, matched against the config file's path). */
function globsAdmit(rel: string, include: unknown, exclude: unknown): boolean {
  const list = (x: unknown) => (Array.isArray(x) ? x.filter((g): g is string => typeof g === 'string') : []);
  const inc = list(include);
  const exc = list(exclude);
  if (inc.length && !picomatch(inc, { dot: true })(rel)) return false;
  if (exc.length && picomatch(exc, { dot: true })(rel)) return false;
  return true;
}

/**
 * The project's targets as Nx sees them: the inferred ones, with the declared ones merged over them, without the
 * inferred targets a package.json script of the same name replaces.
 */
export function mergeNxTargets(
  inferred: Record<string, NxTarget>,
  declared: Record<string, unknown> | undefined,
  scripts: ReadonlySet<string>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(declared ?? {}) };
  for (const [name, inf] of Object.entries(inferred)) {
    if (scripts.has(name)) continue;
    const own = declared?.[name];
    if (!own || typeof own !== 'object') {
      out[name] = inf;
      continue;
    }
    const t = own as NxTarget;
    const ownCommand = t.command !== undefined || t.options?.command !== undefined;
    const ownExecutor = typeof t.executor === 'string' && t.executor !== 'nx:run-commands';
    if (ownCommand || ownExecutor) continue; // the declared target replaces the inferred command
    out[name] = {
      ...inf,
      ...t,
      command: inf.command,
      options: { ...(inf.options ?? {}), ...(t.options ?? {}) },
      inferredBy: inf.inferredBy,
      inferredFrom: inf.inferredFrom,
    };
  }
  return out;
}
