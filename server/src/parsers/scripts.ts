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

export type Tool =
  | 'next-dev'
  | 'next-start'
  | 'vite-dev'
  | 'vite-preview'
  | 'nest-start'
  | 'node'
  | 'delegate'
  | 'other';

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
}

const NODE_RUNNERS = new Set(['node', 'nodemon', 'ts-node', 'ts-node-dev', 'tsx', 'bun', 'babel-node', 'esno']);
const PM_RUN = new Set(['npm', 'yarn', 'pnpm', 'bun']);

function parsePortValue(v: string | undefined): number | undefined {
  if (!v || !/^\d{1,5}$/.test(v)) return undefined;
  const p = Number(v);
  return p > 0 && p < 65536 ? p : undefined;
}

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
  let i = 0;
  // Environment prefixes and wrappers.
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
  const head = words[i];
  const name = head.text.replace(/^.*node_modules\/\.bin\//, '').replace(/^.*node_modules\/next\/dist\/bin\/next$/, 'next');
  const rest = words.slice(i + 1);
  res.toolStart = head.start;
  const sub = rest[0]?.text;

  const scanPortFlags = (args: Token[], short: string[]) => {
    for (let k = 0; k < args.length; k++) {
      const t = args[k].text;
      let m: RegExpExecArray | null;
      if ((t === '--port' || short.includes(t)) && args[k + 1]) {
        const port = parsePortValue(args[k + 1].text);
        if (port) res.portFlag = { port, start: args[k].start, end: args[k + 1].end, text: command.slice(args[k].start, args[k + 1].end) };
      } else if ((m = /^--port=(\d+)$/.exec(t))) {
        const port = parsePortValue(m[1]);
        if (port) res.portFlag = { port, start: args[k].start, end: args[k].end, text: t };
      } else if (short.length && (m = /^-p(\d+)$/.exec(t))) {
        const port = parsePortValue(m[1]);
        if (port) res.portFlag = { port, start: args[k].start, end: args[k].end, text: t };
      } else if (t === '--strictPort' || t === '--strict-port') {
        res.strictPort = true;
      }
    }
  };

  if (name === 'next') {
    if (sub === 'dev' || sub === 'start') {
      res.tool = sub === 'dev' ? 'next-dev' : 'next-start';
      res.toolText = `next ${sub}`;
      res.toolEnd = rest[0].end;
      scanPortFlags(rest.slice(1), ['-p']);
      return res;
    }
    return undefined;
  }
  if (name === 'vite') {
    if (sub === 'build' || sub === 'optimize') return undefined;
    if (sub === 'preview') {
      res.tool = 'vite-preview';
      res.toolText = 'vite preview';
      res.toolEnd = rest[0].end;
      scanPortFlags(rest.slice(1), []);
      return res;
    }
    res.tool = 'vite-dev';
    const hasSub = sub === 'dev' || sub === 'serve';
    res.toolText = hasSub ? `vite ${sub}` : 'vite';
    res.toolEnd = hasSub ? rest[0].end : head.end;
    scanPortFlags(hasSub ? rest.slice(1) : rest, []);
    return res;
  }
  if (name === 'nest') {
    if (sub === 'start') {
      res.tool = 'nest-start';
      res.toolText = 'nest start';
      res.toolEnd = rest[0].end;
      return res;
    }
    return undefined;
  }
  if (NODE_RUNNERS.has(name)) {
    // node [flags] entry — flags may load env files.
    let k = 0;
    while (rest[k] && rest[k].text.startsWith('-')) {
      const t = rest[k].text;
      let m: RegExpExecArray | null;
      if (t === '-e' || t === '--eval' || t === '-p' || t === '--print' || t === '--test' || t === '-v' || t === '--version') {
        if (name === 'node' || name === 'bun' || name === 'tsx') return undefined; // inline code or a one-shot run: not a server entry
      }
      if ((m = /^--env-file(?:-if-exists)?=(.+)$/.exec(t))) res.envFiles.push(m[1]);
      else if (t === '--env-file' && rest[k + 1]) {
        res.envFiles.push(rest[k + 1].text);
        k++;
      } else if ((t === '-r' || t === '--require' || t === '--import') && rest[k + 1]) {
        if (/^dotenv\/config(\.js)?$/.test(rest[k + 1].text)) res.envFiles.push('.env');
        k++;
      } else if (t === '--exec' || t === '-x' || t === '--watch-path' || t === '--ext' || t === '-e' || t === '--watch' && name === 'nodemon') {
        if (rest[k + 1] && !rest[k + 1].text.startsWith('-') && name === 'nodemon') k++;
      }
      k++;
    }
    if (name === 'tsx' && rest[k] && (rest[k].text === 'watch')) k++;
    const entry = rest[k];
    if (!entry) return undefined;
    res.tool = 'node';
    res.entry = entry.text;
    res.toolText = command.slice(head.start, entry.end);
    res.toolEnd = entry.end;
    return res;
  }
  if (PM_RUN.has(name)) {
    // npm run x / npm start / yarn x / pnpm x / pnpm run x
    let k = 0;
    while (rest[k] && rest[k].text.startsWith('-')) k++;
    let target = rest[k]?.text;
    if (target === 'run' || target === 'run-script') target = rest[k + 1]?.text;
    if (!target || ['install', 'ci', 'exec', 'test', 'build', 'i', 'add'].includes(target)) return undefined;
    if (rest.some((w) => w.text === '-w' || w.text.startsWith('--workspace') || w.text === '--filter' || w.text === '-r' || w.text === '--recursive')) return undefined;
    res.tool = 'delegate';
    res.delegateTo = target;
    return res;
  }
  return undefined;
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
  for (const seg of tokenize(command)) {
    const head = seg[0]?.text;
    if (head === 'concurrently' || head === 'npm-run-all' || head === 'run-p') {
      for (const w of seg.slice(1)) {
        if (w.text.startsWith('-')) continue;
        const inner = command.slice(w.start, w.end);
        const quoted = /^["']/.test(inner);
        const offset = w.start + (quoted ? 1 : 0);
        for (const a of analyzeCommand(w.text)) {
          if (head !== 'concurrently' && a.tool !== 'delegate') continue;
          out.push(shift(a, offset));
        }
        if (head !== 'concurrently' && !w.text.includes(' ')) out.push({ tool: 'delegate', delegateTo: w.text, toolText: '', toolEnd: 0, toolStart: 0, strictPort: false, inlineEnv: {}, envFiles: [] });
      }
      continue;
    }
    const a = analyzeSegment(seg, command);
    if (a) {
      out.push(a);
      // A server started with `&&` blocks the rest of the line; a plain `node x.js` may be a one-shot
      // script (`node scripts/check-env.js && next start`), which the index tells apart by its code.
      if (a.tool !== 'delegate' && a.tool !== 'node') break;
    }
  }
  return out;
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

export function portFromInlineEnv(a: CommandAnalysis, key = 'PORT'): number | undefined {
  return parsePortValue(a.inlineEnv[key]?.value);
}

export { parsePortValue };
