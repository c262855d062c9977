import { flagPort, matchServe, portNumber, type ServeSpec } from '../frameworks';

/**
 * Reads a package.json script command (a shell command line) without running it: which server
 * it starts, with which port flag, which environment it sets inline and which env files it loads.
 */

export interface Token {
  text: string;
  /** Offset of the token's first character in the command. */
  start: number;
  end: number;
}

/** Splits a shell command into words, honouring quotes, and into segments at `&&`, `||`, `;`, `|`, `&`. */
export function tokenize(command: string): Token[][] {
  const segments: Token[][] = [[]];
  let i = 0;
  const n = command.length;
  while (i < n) {
    const c = command[i];
    if (c === ' ' || c === '\t' || c === '\n') {
      i++;
      continue;
    }
    if (c === '&' || c === '|' || c === ';') {
      i += command[i + 1] === c ? 2 : 1;
      segments.push([]);
      continue;
    }
    const start = i;
    let text = '';
    while (i < n && !' \t\n;|&'.includes(command[i])) {
      const ch = command[i];
      if (ch === '"' || ch === "'") {
        const close = command.indexOf(ch, i + 1);
        const end = close === -1 ? n : close;
        text += command.slice(i + 1, end);
        i = close === -1 ? n : close + 1;
      } else if (ch === '\\' && i + 1 < n) {
        text += command[i + 1];
        i += 2;
      } else {
        text += ch;
        i++;
      }
    }
    segments[segments.length - 1].push({ text, start, end: i });
  }
  return segments.filter((s) => s.length > 0);
}

/**
 * What a command does: a framework's server command (the id of its {@link ServeSpec}: `next-dev`, `vite-preview`,
 * `nest-start`, ...), a script runner running an entry file (`node`), another script of the same package
 * (`delegate`), scripts of other workspace packages (`orchestrate`: turbo, nx, `pnpm -r`, `npm -w`, lerna), or
 * anything else (`other`).
 */
export type Tool = string;

/** `a,b` and `c` given as separate values: one list. */
function splitList(v: string[]): string[] {
  return v
    .flatMap((x) => x.split(','))
    .map((x) => x.trim())
    .filter(Boolean);
}

/** `turbo run dev --filter web`, `pnpm -r dev`, `npm run dev -w api`, `nx run-many -t serve`: scripts of other workspace packages. */
export interface Orchestration {
  runner: 'turbo' | 'nx' | 'pnpm' | 'npm' | 'yarn' | 'lerna' | 'bun';
  /** Script (task, target) names run in each selected package. */
  tasks: string[];
  /** Selected packages: names or name globs (`web`, `@acme/*`), or paths (`./apps/web`, `apps/*`); empty: all packages. */
  filters: string[];
  /** The tasks run at the same time (turbo's persistent tasks, `--parallel`, nx run-many). */
  parallel: boolean;
  /** Packages excluded from the selection (`--filter !web`, `--filter '!./apps/docs'`, nx `--exclude`): same forms as filters. */
  excludes?: string[];
}

export interface CommandAnalysis {
  tool: Tool;
  /** The tool's words as written, e.g. `next dev`, `vite preview`, `node server.js`. */
  toolText: string;
  /** Offset in the command just after the tool words (where a flag can be inserted). */
  toolEnd: number;
  /** Offset of the tool's first word. */
  toolStart: number;
  portFlag?: { port: number; start: number; end: number; text: string };
  strictPort: boolean;
  /** `PORT=4000 cmd`, `cross-env PORT=4000 cmd`, `env PORT=4000 cmd`. */
  inlineEnv: Record<string, { value: string; start: number; end: number }>;
  /** Env files loaded into the process environment before the tool starts (relative paths as written). */
  envFiles: string[];
  /** For `node`-like tools: the entry file as written. */
  entry?: string;
  /** For `npm run x` / `yarn x` / `pnpm x`: the script it delegates to. */
  delegateTo?: string;
  /** Words passed on to the delegated script (`pnpm with-env next dev`, `npm run dev -- -p 4000`). */
  delegateArgs?: string;
  /** A port argument that is not a number (`--port $(microfrontends port)`): the port is decided when the script runs. */
  portUnknown?: string;
  /** The framework server command, when the tool is one. */
  serve?: ServeSpec;
  /** For orchestrators: which packages' scripts they run. */
  orchestrate?: Orchestration;
  /** Offsets inside a quoted string Crosswire could not map back exactly (escapes): no edit may use them. */
  inexact?: boolean;
  /**
   * The folder the command runs in, relative to the package, when it is not the package's own (`cd server && yarn dev`,
   * `yarn --cwd server dev`, `npm --prefix server run dev`, `pnpm -C server dev`): a delegation then names that folder's script.
   */
  cwd?: string;
}

const NODE_RUNNERS = new Set(['node', 'nodemon', 'ts-node', 'ts-node-dev', 'tsx', 'bun', 'babel-node', 'esno', 'deno']);
const PM_RUN = new Set(['npm', 'yarn', 'pnpm', 'bun']);
/** nyc's and c8's options that take the next word as their value. */
const NYC_VALUED = new Set([
  '--reporter',
  '-r',
  '--report-dir',
  '--temp-dir',
  '-t',
  '--include',
  '-n',
  '--exclude',
  '-x',
  '--extension',
  '-e',
  '--require',
  '-i',
  '--cwd',
]);
/** Bun's options that take the next word as their value (`bun run --env-file .env x.ts`). */
const BUN_VALUED = new Set([
  '--env-file',
  '--cwd',
  '--preload',
  '-r',
  '--require',
  '--config',
  '-c',
  '--tsconfig-override',
  '--elide-lines',
  '--filter',
  '-F',
  '--define',
  '-d',
  '--loader',
  '-l',
  '--conditions',
  '--main-fields',
  '--shell',
]);
/** Options of the package managers that run the command in another folder (yarn v1 `--cwd`, npm `--prefix`, pnpm `-C`/`--dir`, bun `--cwd`). */
const PM_DIR_FLAGS: Record<string, readonly string[]> = { yarn: ['--cwd'], npm: ['--prefix'], pnpm: ['-C', '--dir'], bun: ['--cwd'] };

/** A port number written as text (the frameworks' rule), or undefined. */
const parsePortValue = portNumber;

/** Analyses one segment (words of one simple command). */
function analyzeSegment(words: Token[], command: string): CommandAnalysis | undefined {
  const res: CommandAnalysis = {
    tool: 'other',
    toolText: '',
    toolEnd: 0,
    toolStart: 0,
    strictPort: false,
    inlineEnv: {},
    envFiles: [],
  };
  const i = skipPrefixes(words, res);
  if (i === undefined) return undefined;
  const head = words[i];
  const name = head.text.replace(/^.*node_modules\/\.bin\//, '').replace(/^.*node_modules\/next\/dist\/bin\/next$/, 'next');
  const rest = words.slice(i + 1);
  res.toolStart = head.start;

  const orch = orchestration(
    name,
    rest.map((w) => w.text),
  );
  if (orch) {
    res.tool = 'orchestrate';
    res.orchestrate = orch;
    res.toolText = command.slice(head.start, (rest[rest.length - 1] ?? head).end);
    res.toolEnd = (rest[rest.length - 1] ?? head).end;
    return res;
  }
  const served = matchServe(
    name,
    rest.map((w) => w.text),
  );
  if (served) {
    const { spec, words: n } = served;
    res.tool = spec.id;
    res.serve = spec;
    const last = n > 0 ? rest[n - 1] : head;
    res.toolText = command.slice(head.start, last.end).replace(/^.*node_modules\/\.bin\//, '');
    res.toolEnd = last.end;
    const args = rest.slice(n);
    const texts = args.map((w) => w.text);
    const pa = spec.portArg ? spec.portArg(texts) : spec.portFlags.length ? flagPort(texts, spec.portFlags) : undefined;
    if (pa && pa.port !== undefined)
      res.portFlag = { port: pa.port, start: args[pa.first].start, end: args[pa.last].end, text: command.slice(args[pa.first].start, args[pa.last].end) };
    else if (pa) res.portUnknown = command.slice(args[pa.first].start, args[pa.last].end);
    if (spec.strictFlags?.some((f) => texts.includes(f))) res.strictPort = true;
    return res;
  }
  const isFile = (w: Token | undefined) => !!w && /\.[cm]?[jt]sx?$/.test(w.text);
  // `bun dev` / `bun run dev` run a package script; `bun server.ts` / `bun run server.ts` / `bun --watch x.ts` run a file.
  // (the first word after `run` that is neither an option nor an option's value: `bun run --env-file ../.env ./dev.ts`)
  let afterRun: Token | undefined;
  if (rest[0]?.text === 'run')
    for (let j = 1; j < rest.length && !afterRun; j++) {
      if (BUN_VALUED.has(rest[j].text)) j++;
      else if (!rest[j].text.startsWith('-')) afterRun = rest[j];
    }
  const bunRunsScript = name === 'bun' && !!rest[0] && !isFile(rest[0]) && !rest[0].text.startsWith('-') && !(rest[0].text === 'run' && isFile(afterRun));
  // `node --run dev` (Node 22) runs the package's script, like `npm run dev`.
  if (name === 'node' && rest[0]?.text === '--run' && rest[1]) return analyzePmRun('npm', [{ ...rest[0], text: 'run' }, ...rest.slice(1)], command, res);
  if (NODE_RUNNERS.has(name) && !bunRunsScript) return analyzeNodeRun(name, head, rest, command, res);
  if (PM_RUN.has(name)) return analyzePmRun(name, rest, command, res);
  return undefined;
}

/** `npm run x`, `npm start`, `yarn x`, `pnpm x`, `pnpm run x`, with `yarn --cwd dir`, `npm --prefix dir`, `pnpm -C dir`: the script it runs. */
function analyzePmRun(name: string, rest: Token[], command: string, res: CommandAnalysis): CommandAnalysis | undefined {
  // npm run x / npm start / yarn x / pnpm x / pnpm run x; `yarn --cwd dir x`, `npm --prefix dir run x`, `pnpm -C dir x` run x of another folder.
  const dirFlags = PM_DIR_FLAGS[name] ?? [];
  let dir: string | undefined;
  const words: Token[] = [];
  for (let j = 0; j < rest.length; j++) {
    const t = rest[j].text;
    const eq = dirFlags.find((f) => f.startsWith('--') && t.startsWith(`${f}=`));
    if (dirFlags.includes(t) && rest[j + 1] && words.length < 2) {
      dir = rest[++j].text;
      continue;
    }
    if (eq && words.length < 2) {
      dir = t.slice(eq.length + 1);
      continue;
    }
    words.push(rest[j]);
  }
  let k = 0;
  while (words[k] && words[k].text.startsWith('-')) k++;
  let target = words[k]?.text;
  if (target === 'run' || target === 'run-script') target = words[k + 1]?.text;
  if (!target || ['install', 'ci', 'exec', 'test', 'build', 'i', 'add'].includes(target)) return undefined;
  const at = words.findIndex((w, j) => j >= k && w.text === target);
  let extra = words.slice(at + 1);
  if (extra[0]?.text === '--') extra = extra.slice(1);
  res.tool = 'delegate';
  res.delegateTo = target;
  if (dir !== undefined) res.cwd = dir;
  if (extra.length) res.delegateArgs = command.slice(extra[0].start, extra[extra.length - 1].end);
  return res;
}

/**
 * `pnpm exec vite`, `npm exec -- next dev`, `pnpm dlx`: the binary runs. `bun --bun vite`, `bun next dev -p 8080`,
 * `pnpm tsx server.ts`, `yarn next start`: with no script of that name (a script named like a server binary is not a
 * thing), Bun, pnpm and Yarn run the package's binary. The index of the binary's word, or undefined.
 */
function pmBinaryAt(words: Token[], i: number): number | undefined {
  const pm = words[i].text;
  if (pm !== 'bun' && pm !== 'pnpm' && pm !== 'yarn' && pm !== 'npm') return undefined;
  let j = i + 1;
  while (words[j]?.text === '--bun') j++;
  if (/^(exec|dlx|x)$/.test(words[j]?.text ?? '') && pm !== 'yarn') {
    j++;
    while (words[j] && words[j].text.startsWith('-')) j++;
    if (words[j - 1]?.text === '--' || (words[j] && !words[j].text.startsWith('-'))) return j;
  }
  const bin = words[j]?.text ?? '';
  const args = words.slice(j + 1).map((x) => x.text);
  if (pm !== 'npm' && bin && ((pm !== 'bun' && NODE_RUNNERS.has(bin) && bin !== 'bun') || matchServe(bin, args) || orchestration(bin, args))) return j;
  return undefined;
}

/**
 * Skips a segment's environment prefixes and wrappers (`PORT=3000`, `cross-env`, `npx`, `dotenv -e file --`,
 * `env-cmd -f file`), recording the variables and env files in `res`. Returns the index of the command word,
 * or undefined when there is none.
 */
function skipPrefixes(words: Token[], res: CommandAnalysis): number | undefined {
  let i = 0;
  for (;;) {
    const w = words[i];
    if (!w) return undefined;
    const assign = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(w.text);
    if (assign) {
      res.inlineEnv[assign[1]] = { value: assign[2], start: w.start, end: w.end };
      i++;
      continue;
    }
    if (w.text === 'cross-env' || w.text === 'cross-env-shell' || w.text === 'env') {
      i++;
      continue;
    }
    const bin = pmBinaryAt(words, i);
    if (bin !== undefined) {
      i = bin;
      continue;
    }
    if (w.text === 'nyc' || w.text === 'c8') {
      // Coverage wrappers (`nyc --silent node server.js`): the command after their options runs.
      i++;
      while (words[i] && words[i].text.startsWith('-')) i += NYC_VALUED.has(words[i].text) ? 2 : 1;
      continue;
    }
    if (w.text === 'npx' || w.text === 'exec' || w.text === 'pnpx' || w.text === 'bunx') {
      i++;
      while (words[i] && words[i].text.startsWith('-')) i++;
      continue;
    }
    if (w.text === 'dotenv' || w.text === 'dotenv-cli') {
      // dotenv-cli: dotenv [-e file]... [-c [env]] -- command
      i++;
      let any = false;
      while (words[i] && words[i].text !== '--') {
        if (words[i].text === '-e' && words[i + 1]) {
          res.envFiles.push(words[i + 1].text);
          any = true;
          i += 2;
        } else if (words[i].text === '-c') {
          const env = words[i + 1] && !words[i + 1].text.startsWith('-') ? words[i + 1].text : undefined;
          res.envFiles.push(...(env ? [`.env.${env}.local`, '.env.local', `.env.${env}`, '.env'] : ['.env.local', '.env']));
          any = true;
          i += env ? 2 : 1;
        } else if (words[i].text.startsWith('-')) {
          i++;
        } else break;
      }
      if (!any) res.envFiles.push('.env');
      if (words[i]?.text === '--') i++;
      continue;
    }
    if (w.text === 'env-cmd') {
      i++;
      let any = false;
      while (words[i] && words[i].text.startsWith('-')) {
        if ((words[i].text === '-f' || words[i].text === '--file') && words[i + 1]) {
          res.envFiles.push(words[i + 1].text);
          any = true;
          i += 2;
        } else i++;
      }
      if (!any) res.envFiles.push('.env');
      continue;
    }
    break;
  }
  return i;
}

/**
 * Options of the Node runners that take the next word as their value when written without `=`: node's own
 * (nodejs.org/api/cli: `-r`, `--import`, `-C`, `--env-file`, ...), tsx's (`--tsconfig`; `tsx watch`'s
 * `--include`, `--exclude`, `--ignore`), ts-node's and ts-node-dev's, nodemon's.
 */
const NODE_VALUED = new Set([
  '-r',
  '--require',
  '--import',
  '--loader',
  '--experimental-loader',
  '-C',
  '--conditions',
  '--env-file',
  '--env-file-if-exists',
  '--input-type',
  '--title',
  '--inspect-port',
  '--debug-port',
  '--watch-path',
  '--redirect-warnings',
  '--disable-warning',
  '--experimental-config-file',
  '--localstorage-file',
  '--icu-data-dir',
  '--openssl-config',
  '--dns-result-order',
  '--unhandled-rejections',
  '--diagnostic-dir',
  '--report-dir',
  '--report-directory',
  '--report-filename',
  '--report-signal',
  '--heapsnapshot-signal',
  '--cpu-prof-dir',
  '--cpu-prof-name',
  '--heap-prof-dir',
  '--heap-prof-name',
  '--trace-event-categories',
  '--trace-event-file-pattern',
  '--tsconfig',
  '--include',
  '--exclude',
  '--ignore',
]);
const RUNNER_VALUED: Record<string, readonly string[]> = {
  'ts-node': ['-P', '--project', '-O', '--compiler-options', '--compiler', '-I', '--cwd', '--scope-dir', '-D', '--ignore-diagnostics'],
  'ts-node-dev': ['-P', '--project', '-O', '--compiler-options', '--compiler', '-I', '--watch', '--ignore-watch', '--interval', '--debounce'],
  deno: ['-c', '--config', '--import-map', '--lock', '--cert', '--location', '--seed'],
  bun: ['--cwd', '-c', '--config', '--preload', '--tsconfig-override', '--conditions'],
  nodemon: ['--exec', '-x', '--watch', '-w', '--ext', '-e', '--ignore', '-i', '--delay', '-d', '--signal', '-s', '--config', '--spawn-cwd'],
};

/**
 * `node [options] entry` and the other Node runners (`tsx [options] watch [options] entry`, `deno run [options] entry`,
 * `bun run entry.ts`, `nodemon --watch src server.ts`): the entry is the first word that is neither an option nor an
 * option's value; options may load env files.
 */
function analyzeNodeRun(name: string, head: Token, rest: Token[], command: string, res: CommandAnalysis): CommandAnalysis | undefined {
  let k = (name === 'deno' || name === 'bun') && rest[0]?.text === 'run' ? 1 : 0;
  let watchSeen = false;
  const runnerValued = RUNNER_VALUED[name] ?? [];
  for (; rest[k]; k++) {
    const t = rest[k].text;
    if (name === 'tsx' && t === 'watch' && !watchSeen) {
      watchSeen = true;
      continue;
    }
    if (!t.startsWith('-') || t === '-' || t === '--') {
      if (t === '--') k++;
      break;
    }
    const next = rest[k + 1]?.text;
    let m: RegExpExecArray | null;
    if (name !== 'nodemon' && (t === '-e' || t === '--eval' || t === '-p' || t === '--print' || t === '--test' || t === '-v' || t === '--version')) {
      if (name === 'node' || name === 'bun' || name === 'tsx') return undefined; // inline code or a one-shot run: not a server entry
    }
    if ((m = /^--env-file(?:-if-exists)?=(.+)$/.exec(t))) res.envFiles.push(m[1]);
    else if (t === '--env-file' && name === 'deno')
      res.envFiles.push('.env'); // deno's value is optional and needs `=`
    else if ((t === '--env-file' || t === '--env-file-if-exists') && next !== undefined) {
      res.envFiles.push(next);
      k++;
    } else if ((t === '-r' || t === '--require' || t === '--import') && next !== undefined) {
      if (/^dotenv\/config(\.js)?$/.test(next)) res.envFiles.push('.env');
      k++;
    } else if ((m = /^(?:-r|--require|--import)=(.+)$/.exec(t))) {
      if (/^dotenv\/config(\.js)?$/.test(m[1])) res.envFiles.push('.env');
    } else if (t.includes('=')) {
      // `--clear-screen=false`, `--max-old-space-size=4096`: the value is in the word.
    } else if ((NODE_VALUED.has(t) || runnerValued.includes(t)) && next !== undefined && !(name === 'nodemon' && next.startsWith('-'))) k++;
    else if (next !== undefined && /^\d+$/.test(next)) k++; // `--max-old-space-size 4096`, `--stack-size 2000`: a number is never the entry
  }
  const entry = rest[k];
  if (!entry) return undefined;
  res.tool = 'node';
  res.entry = entry.text;
  res.toolText = command.slice(head.start, entry.end);
  res.toolEnd = entry.end;
  return res;
}

/** Values of a flag given as `--flag v`, `--flag=v` or (short) `-f v`. */
function flagValues(args: readonly string[], long: string[], short: string[] = []): string[] {
  const out: string[] = [];
  for (let k = 0; k < args.length; k++) {
    const t = args[k];
    const eq = long.find((f) => t.startsWith(`${f}=`));
    if (eq) out.push(t.slice(eq.length + 1));
    else if ((long.includes(t) || short.includes(t)) && args[k + 1] !== undefined) out.push(args[++k]);
  }
  return out;
}

/** Positional words (not flags, not flag values) of an orchestrator's arguments. */
function positionals(args: readonly string[], valued: string[]): string[] {
  const out: string[] = [];
  for (let k = 0; k < args.length; k++) {
    const t = args[k];
    if (t === '--') break;
    if (t.startsWith('-')) {
      if (valued.includes(t)) k++;
      continue;
    }
    out.push(t);
  }
  return out;
}

/** `turbo run dev --filter web`, `turbo dev`, `turbo watch dev`. */
function turboRun(args: readonly string[]): Orchestration | undefined {
  const pos = positionals(args, [
    '--filter',
    '-F',
    '--concurrency',
    '--cache-dir',
    '--graph',
    '--log-order',
    '--output-logs',
    '--env-mode',
    '--ui',
    '--log-prefix',
  ]);
  const tasks = pos[0] === 'run' ? pos.slice(1) : pos;
  if (!tasks.length || ['prune', 'login', 'link', 'unlink', 'gen', 'daemon', 'telemetry', 'bin', 'ls', 'info', 'query', 'watch'].includes(tasks[0])) {
    if (tasks[0] !== 'watch') return undefined;
    tasks.shift();
  }
  const sel = selection(flagValues(args, ['--filter', '-F'], ['-F']));
  // `turbo run web#dev api#dev`: the task of one package each (the packages become the filter).
  if (tasks.length && tasks.every((t) => /^[^#]+#[^#]+$/.test(t)) && !sel.filters.length) {
    const pkgs = tasks.map((t) => t.slice(0, t.indexOf('#')));
    const names = [...new Set(tasks.map((t) => t.slice(t.indexOf('#') + 1)))];
    return { runner: 'turbo', tasks: names, ...sel, filters: pkgs, parallel: true };
  }
  return { runner: 'turbo', tasks, ...sel, parallel: true };
}

/** `nx run-many -t serve -p a,b`, `nx affected -t dev`, `nx run app:serve`, `nx serve app`. */
function nxRun(args: readonly string[]): Orchestration | undefined {
  const pos = positionals(args, ['-t', '--target', '--targets', '-p', '--projects', '--exclude', '-c', '--configuration', '--parallel', '--maxParallel']);
  if (pos[0] === 'run-many' || pos[0] === 'affected') {
    const tasks = splitList(flagValues(args, ['--target', '--targets', '-t'], ['-t']));
    const excludes = splitList(flagValues(args, ['--exclude'], []));
    const filters = splitList(flagValues(args, ['--projects', '-p'], ['-p']));
    return tasks.length ? { runner: 'nx', tasks, filters, parallel: true, ...(excludes.length ? { excludes } : {}) } : undefined;
  }
  if (pos[0] === 'run' && pos[1]?.includes(':')) {
    const [project, target] = pos[1].split(':');
    return { runner: 'nx', tasks: [target], filters: [project], parallel: false };
  }
  if (
    pos.length >= 2 &&
    !['graph', 'format', 'generate', 'g', 'reset', 'migrate', 'show', 'release', 'init', 'add', 'list', 'report', 'daemon', 'sync', 'watch'].includes(pos[0])
  ) {
    return { runner: 'nx', tasks: [pos[0]], filters: [pos[1]], parallel: false };
  }
  return undefined;
}

/** turbo, nx, pnpm -r/--filter, npm -w/--workspaces, yarn workspace(s), lerna run, bun --filter: which scripts of which packages. */
function orchestration(bin: string, args: readonly string[]): Orchestration | undefined {
  if (bin === 'turbo') return turboRun(args);
  if (bin === 'nx') return nxRun(args);
  if (bin === 'pnpm' || bin === 'bun') {
    const recursive = args.includes('-r') || args.includes('--recursive');
    const filters = flagValues(args, ['--filter', '-F', '--filter-prod'], ['-F']);
    if (!recursive && !filters.length) return undefined;
    const pos = positionals(args, ['--filter', '-F', '--filter-prod', '--workspace-concurrency', '--reporter', '-C', '--dir', '--elide-lines']);
    const tasks = pos[0] === 'run' || pos[0] === 'run-script' ? pos.slice(1, 2) : pos.slice(0, 1);
    if (!tasks.length || ['install', 'i', 'add', 'exec', 'build', 'test', 'publish', 'update', 'remove', 'why', 'list', 'ls', 'outdated'].includes(tasks[0]))
      return undefined;
    // pnpm's `--filter` selectors are turbo's.
    return { runner: bin, tasks, ...selection(filters), parallel: args.includes('--parallel') || !!filters.length || recursive };
  }
  if (bin === 'npm') {
    const ws = flagValues(args, ['--workspace', '-w'], ['-w']);
    const all = args.includes('--workspaces') || args.includes('-ws');
    if (!ws.length && !all) return undefined;
    const pos = positionals(args, ['--workspace', '-w']);
    const tasks = pos[0] === 'run' || pos[0] === 'run-script' ? pos.slice(1, 2) : pos[0] === 'start' ? ['start'] : [];
    return tasks.length ? { runner: 'npm', tasks, filters: ws, parallel: false } : undefined;
  }
  if (bin === 'yarn') {
    if (args[0] === 'workspace' && args[1] && args[2]) {
      const t = args[2] === 'run' ? args[3] : args[2];
      return t ? { runner: 'yarn', tasks: [t], filters: [args[1]], parallel: false } : undefined;
    }
    if (args[0] === 'workspaces') {
      const pos = positionals(args.slice(1), ['--include', '--exclude', '-j', '--jobs', '--from']);
      const runAt = pos.indexOf('run');
      const t = runAt === -1 ? undefined : pos[runAt + 1];
      const parallel = args.some((a) => a === '-p' || a === '--parallel' || (/^-[a-zA-Z]*p[a-zA-Z]*$/.test(a) && a !== '-p' && a.length <= 5));
      return t ? { runner: 'yarn', tasks: [t], filters: flagValues(args, ['--include'], []), parallel } : undefined;
    }
    return undefined;
  }
  if (bin === 'lerna' && args[0] === 'run' && args[1]) {
    return {
      runner: 'lerna',
      tasks: [args[1]],
      filters: flagValues(args, ['--scope'], []),
      parallel: args.includes('--parallel') || args.includes('--stream'),
    };
  }
  return undefined;
}

/** turbo / pnpm `--filter` values: the packages selected and those excluded (`!web`). */
function selection(values: readonly string[]): { filters: string[]; excludes?: string[] } {
  const filters: string[] = [];
  const excludes: string[] = [];
  for (const v of values) {
    const f = turboFilter(v.replace(/^!/, ''));
    if (f) (v.startsWith('!') ? excludes : filters).push(f);
  }
  return excludes.length ? { filters, excludes } : { filters };
}

/** A turbo `--filter` value to a package selector: `web`, `web...` and `...web` select web; `./apps/*` selects by path; `[HEAD^1]` (changes) selects nothing knowable. */
function turboFilter(f: string): string | undefined {
  if (f.includes('[')) return undefined;
  const x = f
    .replace(/^\.\.\.\^?/, '')
    .replace(/\^?\.\.\.$/, '')
    .replace(/^\{(.*)\}$/, '$1');
  return x || undefined;
}

/**
 * Analyses a script command: the first segment that starts a server (or delegates to another
 * script). Environment set by earlier segments (`export PORT=1 && next start` is rare) is ignored.
 * `concurrently "a" "b"` yields one analysis per quoted command.
 */
export function analyzeCommand(command: string): readonly Readonly<CommandAnalysis>[] {
  // A monorepo repeats the same few scripts in every app: analyse each command text once.
  let cached = analyses.get(command);
  if (!cached) {
    cached = Object.freeze(analyzeUncached(command).map((a) => Object.freeze(a)));
    if (analyses.size >= MAX_ANALYSES) analyses.clear();
    analyses.set(command, cached);
  }
  return cached;
}

const analyses = new Map<string, readonly Readonly<CommandAnalysis>[]>();
const MAX_ANALYSES = 5000;

function analyzeUncached(command: string): CommandAnalysis[] {
  const out: CommandAnalysis[] = [];
  /** The folder `cd dir && ...` moved to, relative to the package (undefined: the package's own). */
  let cwd: string | undefined;
  const push = (a: CommandAnalysis) => out.push(cwd === undefined ? a : { ...a, cwd: a.cwd === undefined ? cwd : joinDir(cwd, a.cwd) });
  for (const whole of tokenize(command)) {
    if (whole[0]?.text === 'cd') {
      // `cd dir && yarn dev`: what follows runs in dir (a `cd` with no folder or an unreadable one: nothing after it is attributed).
      const to = whole[1]?.text;
      if (whole.length !== 2 || !to || /[$`~*]/.test(to) || to.startsWith('/')) break;
      cwd = joinDir(cwd ?? '.', to);
      continue;
    }
    // A process runner, also behind environment prefixes and package managers (`cross-env NODE_ENV=development
    // concurrently "..."`, `dotenv -e .env -- run-p dev:*`, `npx concurrently`, `pnpm exec concurrently`, `yarn dlx run-p`):
    // its commands run with that environment.
    const outer = emptyAnalysis();
    const rest = whole.slice(skipPrefixes(whole, outer) ?? 0);
    const runner = rest.slice(runnerPrefix(rest));
    if (PARALLEL_RUNNERS.test(runner[0]?.text ?? '')) {
      for (const a of runnerCommands(runner[0].text, runner, command)) push(inherit(outer, a));
      continue;
    }
    const sh = shellString(whole);
    if (sh) {
      // `sh -c 'prisma migrate deploy && next start'`: the string is a command line of its own, run with the outer environment.
      const raw = command.slice(sh.string.start, sh.string.end);
      const quoted = /^["']/.test(raw);
      const offset = sh.string.start + (quoted ? 1 : 0);
      const exact = (quoted ? raw.slice(1, -1) : raw) === sh.string.text;
      let blocks = false;
      for (const a of analyzeCommand(sh.string.text)) {
        push({ ...inherit(sh.outer, shift(a, offset)), ...(exact ? {} : { inexact: true }) });
        if (a.tool !== 'delegate' && a.tool !== 'node') blocks = true;
      }
      if (blocks) break;
      continue;
    }
    const a = analyzeSegment(whole, command);
    if (a) {
      push(a);
      // A server started with `&&` blocks the rest of the line; a plain `node x.js` may be a one-shot
      // script (`node scripts/check-env.js && next start`), which the index tells apart by its code.
      if (a.tool !== 'delegate' && a.tool !== 'node') break;
    }
  }
  return out;
}

const PARALLEL_RUNNERS = /^(concurrently|npm-run-all|run-p|run-s)$/;

/**
 * How many words before a process runner are the package manager that starts it and skipPrefixes leaves (`pnpm
 * concurrently`, `yarn dlx run-p`; `npx` and `pnpm exec` are prefixes it skips).
 */
function runnerPrefix(words: Token[]): number {
  const w = (i: number) => words[i]?.text ?? '';
  if (/^(pnpm|yarn|bun)$/.test(w(0)) && PARALLEL_RUNNERS.test(w(1))) return 1;
  if (/^(pnpm|npm|yarn|bun)$/.test(w(0)) && /^(exec|dlx|x)$/.test(w(1)) && PARALLEL_RUNNERS.test(w(2))) return 2;
  return 0;
}

/** The commands `concurrently "a" "b"` (each quoted command) and `npm-run-all` / `run-p` / `run-s` (script names) run. */
function runnerCommands(head: string, seg: Token[], command: string): CommandAnalysis[] {
  const out: CommandAnalysis[] = [];
  const valued = new Set([
    '-n',
    '--names',
    '-c',
    '--prefix-colors',
    '-p',
    '--prefix',
    '-k',
    '--kill-others-on-fail',
    '--max-processes',
    '-m',
    '--success',
    '-s',
    '--restart-tries',
    '--handle-input',
    '-l',
    '--prefix-length',
    '-t',
    '--timestamp-format',
    '--default-input-target',
    '--restart-after',
    '--cwd',
  ]);
  const words = seg.slice(1);
  for (let k = 0; k < words.length; k++) {
    const w = words[k];
    if (w.text.startsWith('-')) {
      if (head === 'concurrently' && valued.has(w.text)) k++;
      continue;
    }
    const npmStyle = head === 'concurrently' ? /^(npm|pnpm|yarn|bun):(\S+)$/.exec(w.text) : null;
    if (npmStyle) {
      out.push({ tool: 'delegate', delegateTo: npmStyle[2], toolText: '', toolEnd: 0, toolStart: 0, strictPort: false, inlineEnv: {}, envFiles: [] });
      continue;
    }
    const inner = command.slice(w.start, w.end);
    const quoted = /^["']/.test(inner);
    const offset = w.start + (quoted ? 1 : 0);
    for (const a of analyzeCommand(w.text)) {
      if (head !== 'concurrently' && a.tool !== 'delegate') continue;
      // A workspace command (`npm run dev -w api`, `yarn workspace api dev`) given to concurrently runs beside the others.
      const b = shift(a, offset);
      out.push(head === 'concurrently' && b.orchestrate ? { ...b, orchestrate: { ...b.orchestrate, parallel: true } } : b);
    }
    if (head !== 'concurrently' && !w.text.includes(' '))
      out.push({ tool: 'delegate', delegateTo: w.text, toolText: '', toolEnd: 0, toolStart: 0, strictPort: false, inlineEnv: {}, envFiles: [] });
  }
  return out;
}

/** `base/dir`, normalised (`.` for the package itself). */
function joinDir(base: string, dir: string): string {
  const parts: string[] = [];
  for (const p of `${base}/${dir}`.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..' && parts.length && parts[parts.length - 1] !== '..') parts.pop();
    else parts.push(p);
  }
  return parts.join('/') || '.';
}

const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ash']);

function emptyAnalysis(): CommandAnalysis {
  return { tool: 'other', toolText: '', toolEnd: 0, toolStart: 0, strictPort: false, inlineEnv: {}, envFiles: [] };
}

/**
 * `[VAR=x] [dotenv -e f --] sh -c 'command string'` (also `bash -c`, `bash -lc`, `/bin/sh -ec`): the command string and the
 * environment the words before the shell set (POSIX `sh -c command_string`: the first operand after the options).
 */
function shellString(words: Token[]): { string: Token; outer: CommandAnalysis } | undefined {
  const outer = emptyAnalysis();
  const i = skipPrefixes(words, outer);
  if (i === undefined || !SHELLS.has(words[i].text.replace(/^.*\//, ''))) return undefined;
  let k = i + 1;
  let c = false;
  for (; words[k] && /^[-+]/.test(words[k].text); k++) {
    const t = words[k].text;
    if (t === '--') {
      k++;
      break;
    }
    if (/^-[a-zA-Z]*c[a-zA-Z]*$/.test(t)) c = true;
    else if (t === '-o' || t === '+o' || t === '-O' || t === '+O') k++; // `-o pipefail`: a named option
  }
  return c && words[k] ? { string: words[k], outer } : undefined;
}

/**
 * An analysis of a command run by another one (`sh -c '...'`, a script run by `cross-env PORT=4500 pnpm start`): the
 * outer command's inline variables and env files apply, its own inline variables win, and env files loaded first
 * (by the outer command) win over the inner command's (dotenv-cli and `node --env-file` do not override a set variable).
 */
export function inherit(outer: Pick<CommandAnalysis, 'inlineEnv' | 'envFiles'>, a: Readonly<CommandAnalysis>): CommandAnalysis {
  return { ...a, inlineEnv: { ...outer.inlineEnv, ...a.inlineEnv }, envFiles: [...outer.envFiles, ...a.envFiles] };
}

/** Whether a command sets variables or loads env files for what it runs (`cross-env PORT=4500 pnpm start`, `dotenv -- npm run dev`). */
export function carriesEnv(a: Pick<CommandAnalysis, 'inlineEnv' | 'envFiles'>): boolean {
  return a.envFiles.length > 0 || Object.keys(a.inlineEnv).length > 0;
}

function shift(a: CommandAnalysis, by: number): CommandAnalysis {
  const inlineEnv: CommandAnalysis['inlineEnv'] = {};
  for (const [k, v] of Object.entries(a.inlineEnv)) inlineEnv[k] = { ...v, start: v.start + by, end: v.end + by };
  return {
    ...a,
    toolStart: a.toolStart + by,
    toolEnd: a.toolEnd + by,
    portFlag: a.portFlag ? { ...a.portFlag, start: a.portFlag.start + by, end: a.portFlag.end + by } : undefined,
    inlineEnv,
  };
}

export { parsePortValue };
