/**
 * The one table of the files Crosswire reads: their name patterns, their kind and their comment syntax.
 * It feeds discovery (index/discovery.ts), the language server's file watchers (lsp/), the VS Code
 * client's file watchers and document selector (client/src/extension.ts bundles this module), and the
 * suppression comments (parsers/suppressions.ts). A file kind is added here, and only here.
 *
 * Imports nothing: the VS Code client bundles it.
 */

export type FileKind =
  | 'env'
  | 'package'
  | 'prisma'
  | 'prisma-config'
  | 'code'
  | 'python'
  | 'app-marker'
  | 'foreign-marker'
  | 'web-entry'
  | 'compose'
  | 'pm2'
  | 'pg-conf'
  | 'config'
  | 'repo-config';

/** The line-comment syntax a suppression directive is written with; undefined where the format has none (JSON). */
export type CommentSyntax = '#' | '//' | undefined;

/** What a row's test sees of a path: its base name and the folders above it (relative to the workspace folder). */
export interface FileName {
  base: string;
  /** Folder names from the workspace folder down to the file's folder. */
  dirs: readonly string[];
}

export interface FileKindRow {
  /** The kind of the files the row matches; undefined for files that are listed but never read (`*.d.ts`). */
  kind: FileKind | undefined;
  /**
   * Globs (relative to a workspace folder, `**`-prefixed) listing the row's files: discovery lists them, both
   * file watchers watch them and the client syncs their documents. A broader glob than the test is fine (the
   * test decides); a narrower one is not (a file would never be read, or read but never refreshed). Empty when
   * another row's glob lists the row's files (test/file-kinds.test.ts checks that every row's example is listed).
   */
  globs: readonly string[];
  /** Whether a file is of this row. Rows are tried in order; the first whose test holds wins. */
  test(name: FileName): boolean;
  comment: CommentSyntax;
  /** One file name of the row, for the table's own tests. */
  example: string;
}

/** Folders never descended into: dependencies, VCS data and build output. `.gitignore` is deliberately not honoured: env files are usually git-ignored, and that is where the secrets are. */
export const IGNORED_DIRS = [
  'node_modules',
  '.git',
  '.hg',
  '.svn',
  'dist',
  'build',
  'out',
  '.next',
  '.nuxt',
  '.output',
  '.svelte-kit',
  '.turbo',
  '.vercel',
  '.netlify',
  'coverage',
  '.cache',
  '.parcel-cache',
  '.expo',
  '.venv',
  'venv',
  '__pycache__',
  '.tox',
  '.mypy_cache',
  '.pytest_cache',
  'bower_components',
  'jspm_packages',
  // Vendored dependencies (Go modules, Composer, Bundler): third-party code and its test fixtures.
  'vendor',
  '.yarn',
  '.pnpm-store',
];

/**
 * Folders whose files are tests' (a test's inputs, a live-server helper, a fixture app): read by facts/util.ts
 * `isTestCode` for URLs and defaults, and by index/listeners.ts for the servers of Python files.
 */
export const TEST_CODE_DIRS = ['__tests__', '__mocks__', 'tests', 'test', 'e2e', 'fixtures', '__fixtures__', 'mocks', 'mock', 'cypress', 'playwright'];

/** A path (relative to an app's folder) that passes through a test folder. */
export const TEST_FOLDER = new RegExp(`(^|[\\\\/])(${TEST_CODE_DIRS.join('|')})[\\\\/]`);

/** Folders compose files are kept in (their YAML files are read as compose files when they are). */
export const COMPOSE_DIRS = ['docker', 'dockers', 'deploy', 'deployment', 'deployments', 'compose'];

/** Monorepo and project files: workspace roots (pnpm, lerna, Nx, Turborepo), Nx projects, NestJS's CLI config. */
export const REPO_CONFIG_FILES = ['pnpm-workspace.yaml', 'lerna.json', 'nx.json', 'turbo.json', 'project.json', 'nest-cli.json'];

/**
 * Project files of languages whose servers Crosswire does not model: the folder is a program whose ports are unknown
 * (a Go API, a Spring service, a Rails app), so "nothing listens on that port" can never be said beside it.
 */
export const FOREIGN_MARKERS: Readonly<Record<string, string>> = {
  'go.mod': 'Go',
  'Cargo.toml': 'Rust',
  'pom.xml': 'Java',
  'build.gradle': 'Java',
  'build.gradle.kts': 'Kotlin',
  Gemfile: 'Ruby',
  'composer.json': 'PHP',
  'mix.exs': 'Elixir',
};

/** Python project files that make their folder an app (setup.py is also Python code). */
const PYTHON_MARKERS = ['pyproject.toml', 'requirements.txt', 'Pipfile'];

const CODE_EXTENSIONS = ['ts', 'tsx', 'mts', 'cts', 'js', 'jsx', 'mjs', 'cjs'];
const CODE_RE = new RegExp(`\\.(${CODE_EXTENSIONS.join('|')})$`);

/** The `compose.yaml` / `docker-compose.yml` family by name (`docker-compose.override.yml`, `compose.prod.yaml`, `docker-compose-local.yml`). */
export function isComposeName(base: string): boolean {
  return /^(docker-)?compose([.-][\w.-]+)?\.ya?ml$/.test(base);
}

const named =
  (...names: string[]) =>
  ({ base }: FileName) =>
    names.includes(base);
const braces = (items: readonly string[]) => (items.length === 1 ? items[0] : `{${items.join(',')}}`);

/**
 * The table. Order matters where tests overlap: `package.json` before the JSON of PM2, `ecosystem.config.js` and
 * `prisma.config.ts` before code, `setup.py` before Python code.
 */
export const FILE_KINDS: readonly FileKindRow[] = [
  { kind: 'package', globs: ['**/package.json'], test: named('package.json'), comment: undefined, example: 'package.json' },
  { kind: 'config', globs: ['**/crosswire.config.json'], test: named('crosswire.config.json'), comment: undefined, example: 'crosswire.config.json' },
  { kind: 'pg-conf', globs: ['**/postgresql.conf'], test: named('postgresql.conf'), comment: '#', example: 'postgresql.conf' },
  { kind: 'repo-config', globs: ['**/pnpm-workspace.yaml'], test: named('pnpm-workspace.yaml'), comment: '#', example: 'pnpm-workspace.yaml' },
  {
    kind: 'repo-config',
    globs: [`**/${braces(REPO_CONFIG_FILES.filter((n) => n.endsWith('.json')))}`],
    test: named(...REPO_CONFIG_FILES.filter((n) => n.endsWith('.json'))),
    comment: undefined,
    example: 'nx.json',
  },
  // Compose files: the default names and their variants (`compose.prod.yaml`, `docker-compose-local.yml`,
  // `dev-compose.yml`), and any YAML under the folders projects keep them in; a file that is not a compose file
  // (no top-level `services:`/`include:`) is dropped silently after parsing.
  {
    kind: 'compose',
    globs: ['**/*compose*.{yml,yaml}', `**/${braces(COMPOSE_DIRS)}/**/*.{yml,yaml}`],
    test: ({ base, dirs }) => /\.ya?ml$/.test(base) && (/compose/i.test(base) || dirs.some((d) => COMPOSE_DIRS.includes(d))),
    comment: '#',
    example: 'docker-compose.yml',
  },
  // (`ecosystem.config.js` and `prisma.config.ts` are listed by the code glob: a glob of their own would only slow discovery down.)
  {
    kind: 'pm2',
    globs: [],
    test: ({ base }) => /^(ecosystem|pm2)(\.[\w-]+)?\.config\.[cm]?[jt]s$/.test(base),
    comment: '//',
    example: 'ecosystem.config.js',
  },
  { kind: 'pm2', globs: ['**/{ecosystem,pm2}*.json'], test: ({ base }) => /^(ecosystem|pm2)\.json$/.test(base), comment: undefined, example: 'ecosystem.json' },
  { kind: 'prisma', globs: ['**/*.prisma'], test: ({ base }) => /\.prisma$/.test(base), comment: '//', example: 'schema.prisma' },
  {
    kind: 'prisma-config',
    globs: [],
    test: ({ base }) => /^prisma\.config\.[cm]?[jt]s$/.test(base),
    comment: '//',
    example: 'prisma.config.ts',
  },
  { kind: 'app-marker', globs: [`**/${braces(PYTHON_MARKERS)}`], test: named(...PYTHON_MARKERS), comment: '#', example: 'requirements.txt' },
  // A web app's page (Vite serves the index.html of its root): only whether it exists is read (Nx infers a Vite
  // project's servers only when it has one).
  { kind: 'web-entry', globs: ['**/index.html'], test: named('index.html'), comment: undefined, example: 'index.html' },
  { kind: 'python', globs: ['**/setup.py'], test: named('setup.py'), comment: '#', example: 'setup.py' },
  {
    kind: 'foreign-marker',
    globs: [`**/${braces(Object.keys(FOREIGN_MARKERS))}`],
    test: named(...Object.keys(FOREIGN_MARKERS)),
    comment: undefined,
    example: 'go.mod',
  },
  // Env files: the name decides, then the env parser's classification (see fileKind): `.env.ts` is code.
  {
    kind: 'env',
    globs: ['**/.env', '**/.env.*', '**/.env-*', '**/env.{example,sample,template}', '**/*.env'],
    test: ({ base }) => base.startsWith('.env') || base.endsWith('.env'),
    comment: '#',
    example: '.env.local',
  },
  // Listed by the code globs, never read: type declarations and minified bundles.
  { kind: undefined, globs: [], test: ({ base }) => /\.d\.ts$/.test(base) || /\.min\.js$/.test(base), comment: '//', example: 'index.d.ts' },
  { kind: 'code', globs: [`**/*.${braces(CODE_EXTENSIONS)}`], test: ({ base }) => CODE_RE.test(base), comment: '//', example: 'server.ts' },
  { kind: 'python', globs: ['**/*.py'], test: ({ base }) => /\.py$/.test(base), comment: '#', example: 'main.py' },
];

/**
 * Every glob of the table, once each: the code row's first, then in table order. fast-glob tries an entry against
 * the patterns in order and stops at the first that matches, and most files listed are code (measured: discovery
 * of the corpus about 20% faster than in table order).
 */
export const FILE_GLOBS: readonly string[] = [...new Set([...FILE_KINDS.filter((r) => r.kind === 'code'), ...FILE_KINDS].flatMap((r) => r.globs))];

/** Globs of files discovery lists but never reads. */
export const EXCLUDED_GLOBS: readonly string[] = ['**/*.d.ts', '**/*.min.js', '**/*.map'];

/** A path's name; `file` uses `/` between folders (callers convert a platform separator). */
function nameOf(file: string): FileName {
  const parts = file.split('/');
  return { base: parts[parts.length - 1] ?? '', dirs: parts.slice(0, -1) };
}

/** The table's row for a file name, by its name only (the first row whose test holds). */
function rowOf(name: FileName, envKind: (name: string) => unknown): FileKindRow | undefined {
  return FILE_KINDS.find((r) => r.test(name) && (r.kind !== 'env' || !!envKind(name.base)));
}

/**
 * Which kind of file a path (relative to its workspace folder, with `/` between folders) is; undefined when Crosswire does not read it
 * (a name no row reads, or a file under an ignored folder). `envKind` is the env parser's classification of a
 * name (null when a `.env`-like name is not an env file).
 */
export function fileKind(file: string, envKind: (name: string) => unknown): FileKind | undefined {
  const name = nameOf(file);
  if (name.dirs.some((d) => IGNORED_DIRS.includes(d) || isGeneratorTemplateDir(d))) return undefined;
  return rowOf(name, envKind)?.kind;
}

/**
 * A folder of a project generator's template (`{{cookiecutter.project_slug}}`, copier's `{{ project_name }}`, `{%...%}`):
 * its files become configuration only once the generator renders them, so they are not read.
 */
export function isGeneratorTemplateDir(dir: string): boolean {
  return dir.includes('{{') || dir.includes('{%');
}

/** The comment syntax a suppression directive is written with in a file: undefined where the format has no comments (JSON). */
export function commentSyntax(file: string, envKind: (name: string) => unknown): CommentSyntax {
  const parts = file.split(/[\\/]/);
  const row = rowOf({ base: parts[parts.length - 1] ?? '', dirs: parts.slice(0, -1) }, envKind);
  if (row) return row.comment;
  return /\.json$/.test(file) ? undefined : '#';
}
