/**
 * Glob matching for `crosswire.config.json`'s `ignore`, in time O(path × pattern) whatever the
 * pattern. The config comes from the workspace, which may be untrusted: a regex-based matcher
 * (picomatch, minimatch) backtracks, and `**\/*a*a*a*a*a*a*a*a*a*a*ab` against one long file name
 * takes seconds per extra `*a`. Here every wildcard is matched by the classic greedy algorithm that
 * only ever returns to the last `*` (and, between segments, to the last `**`), which is exact for
 * these patterns and never exponential.
 *
 * Supported, as picomatch reads them with `dot: true`: `*` (any run within a segment, dotfiles
 * included), `?`, `[abc]` / `[a-z]` / `[!x]` / `[^x]`, `**` as a whole segment (any number of
 * segments, zero included), `{a,b}` alternatives (nested; at most {@link MAX_ALTERNATIVES}), `\`
 * escapes, a leading `./`, and a leading `!` that negates the pattern.
 */

/** Longest pattern accepted (longer ones are reported as invalid-config and ignored). */
export const MAX_GLOB_LENGTH = 1000;
/** Most alternatives one pattern's braces may expand to. */
export const MAX_ALTERNATIVES = 256;

type Token = { t: 'char'; c: string } | { t: 'any' } | { t: 'star' } | { t: 'class'; negated: boolean; items: [string, string][] };
type Segment = { globstar: true } | { globstar: false; tokens: Token[] };

/** Why a pattern cannot be used, or undefined when it can. */
export function globProblem(glob: string): string | undefined {
  if (typeof glob !== 'string') return 'not a string';
  if (glob.length > MAX_GLOB_LENGTH) return `longer than ${MAX_GLOB_LENGTH} characters`;
  if (expandBraces(glob) === undefined) return `its braces expand to more than ${MAX_ALTERNATIVES} alternatives`;
  return undefined;
}

/** A matcher for paths relative to the workspace folder (`/`-separated): true when any pattern matches. Unusable patterns are left out. */
export function compileGlobs(globs: readonly string[]): (rel: string) => boolean {
  const compiled: { negated: boolean; alternatives: Segment[][] }[] = [];
  for (const raw of globs) {
    if (globProblem(raw) !== undefined) continue;
    let g = raw;
    let negated = false;
    while (g.startsWith('!') && !g.startsWith('!(')) {
      negated = !negated;
      g = g.slice(1);
    }
    while (g.startsWith('./')) g = g.slice(2);
    const alternatives = expandBraces(g)!.map(parsePattern);
    compiled.push({ negated, alternatives });
  }
  return (rel: string) => {
    const segs = rel.split('/');
    for (const c of compiled) {
      const hit = c.alternatives.some((a) => matchSegments(a, segs));
      if (hit !== c.negated) return true;
    }
    return false;
  };
}

/** `{a,b}` alternatives expanded (nested braces too); undefined past {@link MAX_ALTERNATIVES}. */
function expandBraces(glob: string): string[] | undefined {
  let out: string[] = [''];
  let i = 0;
  while (i < glob.length) {
    const c = glob[i];
    if (c === '\\' && i + 1 < glob.length) {
      out = out.map((o) => o + glob.slice(i, i + 2));
      i += 2;
      continue;
    }
    if (c === '{') {
      const close = matchingBrace(glob, i);
      if (close !== -1) {
        const parts = splitTopLevel(glob.slice(i + 1, close));
        if (parts.length > 1) {
          const expanded: string[] = [];
          for (const p of parts) {
            const sub = expandBraces(p);
            if (!sub) return undefined;
            for (const o of out)
              for (const s of sub) {
                expanded.push(o + s);
                if (expanded.length > MAX_ALTERNATIVES) return undefined;
              }
          }
          out = expanded;
          i = close + 1;
          continue;
        }
      }
    }
    out = out.map((o) => o + c);
    i++;
  }
  return out;
}

function matchingBrace(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '{') depth++;
    else if (s[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '{') depth++;
    else if (s[i] === '}') depth--;
    else if (s[i] === ',' && depth === 0) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}

function parsePattern(g: string): Segment[] {
  const segs: Segment[] = [];
  for (const seg of g.split('/')) {
    if (seg === '**') {
      // Consecutive `**` segments mean the same as one.
      if (!(segs.length && segs[segs.length - 1].globstar)) segs.push({ globstar: true });
      continue;
    }
    segs.push({ globstar: false, tokens: parseSegment(seg) });
  }
  return segs;
}

function parseSegment(seg: string): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i];
    if (c === '\\' && i + 1 < seg.length) tokens.push({ t: 'char', c: seg[++i] });
    else if (c === '*') {
      if (!(tokens.length && tokens[tokens.length - 1].t === 'star')) tokens.push({ t: 'star' });
    } else if (c === '?') tokens.push({ t: 'any' });
    else if (c === '[') {
      const cls = parseClass(seg, i);
      if (cls) {
        tokens.push(cls.token);
        i = cls.end;
      } else tokens.push({ t: 'char', c });
    } else tokens.push({ t: 'char', c });
  }
  return tokens;
}

function parseClass(seg: string, open: number): { token: Token; end: number } | undefined {
  let i = open + 1;
  let negated = false;
  if (seg[i] === '!' || seg[i] === '^') {
    negated = true;
    i++;
  }
  const items: [string, string][] = [];
  let first = true;
  for (; i < seg.length; i++) {
    let c = seg[i];
    if (c === ']' && !first) return { token: { t: 'class', negated, items }, end: i };
    first = false;
    if (c === '\\' && i + 1 < seg.length) c = seg[++i];
    if (seg[i + 1] === '-' && i + 2 < seg.length && seg[i + 2] !== ']') {
      let hi = seg[i + 2];
      i += 2;
      if (hi === '\\' && i + 1 < seg.length) hi = seg[++i];
      items.push([c, hi]);
    } else items.push([c, c]);
  }
  return undefined;
}

function tokenMatches(tok: Token, c: string): boolean {
  if (tok.t === 'char') return tok.c === c;
  if (tok.t === 'any') return true;
  if (tok.t === 'class') return tok.items.some(([lo, hi]) => c >= lo && c <= hi) !== tok.negated;
  return false;
}

/** One segment against a name: greedy, returning only to the last `*` (O(name × tokens)). */
function matchSegment(tokens: readonly Token[], name: string): boolean {
  let t = 0;
  let n = 0;
  let starT = -1;
  let starN = 0;
  while (n < name.length) {
    const tok = tokens[t];
    if (tok && tok.t === 'star') {
      starT = t++;
      starN = n;
    } else if (tok && tokenMatches(tok, name[n])) {
      t++;
      n++;
    } else if (starT !== -1) {
      t = starT + 1;
      n = ++starN;
    } else return false;
  }
  while (t < tokens.length && tokens[t].t === 'star') t++;
  return t === tokens.length;
}

/** Segments against path segments, `**` as the star: the same greedy algorithm one level up. */
function matchSegments(pattern: readonly Segment[], segs: readonly string[]): boolean {
  let p = 0;
  let s = 0;
  let starP = -1;
  let starS = 0;
  while (s < segs.length) {
    const seg = pattern[p];
    if (seg && seg.globstar) {
      starP = p++;
      starS = s;
    } else if (seg && matchSegment(seg.tokens, segs[s])) {
      p++;
      s++;
    } else if (starP !== -1) {
      p = starP + 1;
      s = ++starS;
    } else return false;
  }
  while (p < pattern.length && pattern[p].globstar) p++;
  return p === pattern.length;
}
