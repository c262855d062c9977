import fg from 'fast-glob';
import * as path from 'node:path';

/** Folders never descended into: dependencies, VCS data and build output. `.gitignore` is deliberately not honoured: env files are usually git-ignored, and that is where the secrets are. */
export const IGNORED_DIRS = [
  'node_modules', '.git', '.hg', '.svn', 'dist', 'build', 'out', '.next', '.nuxt', '.output', '.svelte-kit',
  '.turbo', '.vercel', '.netlify', 'coverage', '.cache', '.parcel-cache', '.expo', '.venv', 'venv', '__pycache__',
  '.tox', '.mypy_cache', '.pytest_cache', 'bower_components', 'jspm_packages', '.yarn', '.pnpm-store',
];

export const DISCOVERY_PATTERNS = [
  '**/.env',
  '**/.env.*',
  '**/*.env',
  '**/package.json',
  '**/*.prisma',
  '**/prisma.config.{ts,mts,cts,js,mjs,cjs}',
  '**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}',
  '**/*.py',
  '**/{pyproject.toml,requirements.txt,setup.py,Pipfile}',
  '**/{docker-compose,compose}*.{yml,yaml}',
  '**/postgresql.conf',
  '**/crosswire.config.json',
  '**/{ecosystem,pm2}*.json',
];

const ignore = IGNORED_DIRS.map((d) => `**/${d}/**`).concat(['**/*.d.ts', '**/*.min.js', '**/*.map']);

export type FileKind = 'env' | 'package' | 'prisma' | 'prisma-config' | 'code' | 'python' | 'app-marker' | 'compose' | 'pm2' | 'pg-conf' | 'config';

/** Which kind of file a path is, by name; undefined when Crosswire does not read it. */
export function fileKind(file: string, envKind: (name: string) => unknown): FileKind | undefined {
  const norm = file.split(path.sep).join('/');
  if (norm.split('/').some((seg) => IGNORED_DIRS.includes(seg))) return undefined;
  const base = path.basename(file);
  if (base === 'package.json') return 'package';
  if (base === 'crosswire.config.json') return 'config';
  if (base === 'postgresql.conf') return 'pg-conf';
  if (/^(docker-)?compose(\.[\w-]+)?\.ya?ml$/.test(base)) return 'compose';
  if (/^(ecosystem|pm2)(\.[\w-]+)?\.config\.[cm]?[jt]s$/.test(base) || /^(ecosystem|pm2)\.json$/.test(base)) return 'pm2';
  if (/\.prisma$/.test(base)) return 'prisma';
  if (/^prisma\.config\.[cm]?[jt]s$/.test(base)) return 'prisma-config';
  if (['pyproject.toml', 'requirements.txt', 'setup.py', 'Pipfile'].includes(base)) return base === 'setup.py' ? 'python' : 'app-marker';
  if ((base.startsWith('.env') || base.endsWith('.env')) && envKind(base)) return 'env';
  if (/\.d\.ts$/.test(base) || /\.min\.js$/.test(base)) return undefined;
  if (/\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/.test(base)) return 'code';
  if (/\.py$/.test(base)) return 'python';
  return undefined;
}

/** Lists candidate files under a root with fast-glob, skipping ignored folders and not following symlinks. */
export async function discover(root: string): Promise<string[]> {
  return fg(DISCOVERY_PATTERNS, {
    cwd: root,
    absolute: true,
    dot: true,
    onlyFiles: true,
    followSymbolicLinks: false,
    suppressErrors: true,
    unique: true,
    ignore,
  });
}
