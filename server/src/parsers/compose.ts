import * as YAML from 'yaml';
import type { ComposeFileInfo, ComposePort, ComposeRawPort, ComposeService, ComposeValue, Range } from '../model/types';
import { LineIndex } from '../model/text';

/** The default files `docker compose` reads in a folder, in its order of preference (the first found wins). */
export const DEFAULT_COMPOSE_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];

/** The override file Compose merges into a default file of the same folder (`compose.override.yaml` into `compose.yaml`...). */
export function isOverrideFile(name: string): boolean {
  return /^(docker-)?compose\.override\.ya?ml$/.test(name);
}

/**
 * Compose's interpolation (https://docs.docker.com/reference/compose-file/interpolation/): `$VAR`, `${VAR}`,
 * `${VAR:-default}`, `${VAR-default}`, `${VAR:?err}`, `${VAR?err}`, `${VAR:+alt}`, `${VAR+alt}` (nested), `$$`.
 * `lookup` gives a variable's value, or undefined when it is not set. Returns undefined when the result depends on
 * a variable that is not set and has no default (Compose would substitute an empty string and warn; Crosswire
 * cannot know the shell's environment, so the value is unknown). Linear in the input (nesting bounded).
 */
export function interpolate(text: string, lookup: (name: string) => string | undefined): string | undefined {
  const r = interp(text, 0, lookup, 0, false);
  return r.unknown ? undefined : r.value;
}

interface InterpResult {
  value: string;
  end: number;
  unknown: boolean;
}

function interp(s: string, i: number, lookup: (name: string) => string | undefined, depth: number, inBraces: boolean): InterpResult {
  let out = '';
  let unknown = false;
  while (i < s.length) {
    const c = s[i];
    if (inBraces && c === '}') return { value: out, end: i, unknown };
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const n = s[i + 1];
    if (n === '$') {
      out += '$';
      i += 2;
      continue;
    }
    const bare = /^[_a-zA-Z][_a-zA-Z0-9]*/.exec(s.slice(i + 1, i + 1 + 256));
    if (bare) {
      const v = lookup(bare[0]);
      if (v === undefined) unknown = true;
      else out += v;
      i += 1 + bare[0].length;
      continue;
    }
    if (n !== '{' || depth > 8) {
      out += c;
      i++;
      continue;
    }
    const name = /^[_a-zA-Z][_a-zA-Z0-9]*/.exec(s.slice(i + 2, i + 2 + 256));
    if (!name) return { value: out, end: s.length, unknown: true }; // invalid: Compose refuses the file
    let j = i + 2 + name[0].length;
    const v = lookup(name[0]);
    const op = /^(:-|-|:\?|\?|:\+|\+)/.exec(s.slice(j, j + 2))?.[0];
    if (!op) {
      if (s[j] !== '}') return { value: out, end: s.length, unknown: true };
      if (v === undefined) unknown = true;
      else out += v;
      i = j + 1;
      continue;
    }
    j += op.length;
    const inner = interp(s, j, lookup, depth + 1, true);
    if (s[inner.end] !== '}') return { value: out, end: s.length, unknown: true };
    i = inner.end + 1;
    const set = v !== undefined;
    const nonEmpty = set && v !== '';
    if (op === ':-' || op === '-') {
      const useVar = op === ':-' ? nonEmpty : set;
      if (useVar) out += v;
      else if (inner.unknown) unknown = true;
      else out += inner.value;
    } else if (op === ':?' || op === '?') {
      const ok = op === ':?' ? nonEmpty : set;
      if (ok) out += v;
      else unknown = true; // Compose stops with the error
    } else {
      const alt = op === ':+' ? nonEmpty : set;
      if (alt) {
        if (inner.unknown) unknown = true;
        else out += inner.value;
      } else if (v === undefined && op === ':+') {
        // unset: empty, which is what Compose substitutes
      }
    }
  }
  return { value: out, end: i, unknown };
}

/** One published port of a short-syntax spec, or of the long syntax's fields, after interpolation. */
export interface PortBinding {
  host: number;
  container?: number;
  hostIp?: string;
  protocol: 'tcp' | 'udp';
}

/** `[HOST_IP:]HOST[-HOST_END]:CONTAINER[-END][/PROTO]`; a bare container port publishes nothing on a fixed host port. */
export function parsePortSpec(spec: string): PortBinding[] {
  const [body, proto] = spec.trim().split('/');
  const protocol = proto === 'udp' ? 'udp' : 'tcp';
  let hostIp: string | undefined;
  let rest = body;
  const ipv6 = /^\[([^\]]+)\]:(.*)$/.exec(rest);
  if (ipv6) {
    hostIp = ipv6[1];
    rest = ipv6[2];
  }
  const parts = rest.split(':');
  if (parts.length === 3) {
    hostIp = parts[0];
    parts.shift();
  }
  if (parts.length !== 2) return [];
  const [h, c] = parts;
  if (h === '') return []; // `:3000` (an ephemeral host port)
  const range = (x: string) => x.split('-').map((n) => (/^\d+$/.test(n) ? Number(n) : NaN));
  const hr = range(h);
  const cr = range(c);
  if (hr.some((n) => !Number.isInteger(n) || n <= 0 || n > 65535)) return [];
  const out: PortBinding[] = [];
  for (let p = hr[0], i = 0; p <= (hr[1] ?? hr[0]) && i < 1000; p++, i++)
    out.push({ host: p, container: Number.isInteger(cr[0]) ? cr[0] + (cr.length > 1 ? i : 0) : undefined, hostIp, protocol });
  return out;
}

/** The ports of one raw entry, interpolated with `lookup`; undefined when a value is unknown. */
export function resolvePort(raw: ComposeRawPort, lookup: (name: string) => string | undefined): PortBinding[] | undefined {
  if (raw.spec !== undefined) {
    const spec = interpolate(raw.spec, lookup);
    return spec === undefined ? undefined : parsePortSpec(spec);
  }
  if (raw.published === undefined) return [];
  const published = interpolate(raw.published, lookup);
  if (published === undefined) return undefined;
  const hostIp = raw.hostIp === undefined ? undefined : interpolate(raw.hostIp, lookup);
  const target = raw.target === undefined ? undefined : interpolate(raw.target, lookup);
  const protocol = raw.protocol === undefined ? 'tcp' : interpolate(raw.protocol, lookup);
  if ((raw.hostIp !== undefined && hostIp === undefined) || protocol === undefined) return undefined;
  // `published` may be a range too ("8000-8010").
  const spec = `${hostIp ? (hostIp.includes(':') ? `[${hostIp}]:` : `${hostIp}:`) : ''}${published}:${target && /^\d+(-\d+)?$/.test(target) ? target : '0'}/${protocol === 'udp' ? 'udp' : 'tcp'}`;
  return parsePortSpec(spec).map((b) => ({ ...b, container: target && /^\d+$/.test(target) ? Number(target) : b.container || undefined }));
}

/**
 * A YAML parser's message without any text of the file: the `yaml` library quotes source text in some
 * messages (an invalid `\U` escape echoes the characters after it), and compose files hold passwords.
 * Only the error code and position are kept (issue 11).
 */
export function redactedYamlError(err: { code?: string; message: string }, lines: LineIndex, offset: number): string {
  const pos = lines.positionAt(offset);
  const code = typeof err.code === 'string' && /^[A-Z_]+$/.test(err.code) ? err.code : 'YAML_ERROR';
  return `Invalid YAML (${code.toLowerCase().replace(/_/g, ' ')}) at line ${pos.line + 1}, column ${pos.character + 1}`;
}

function scalarString(n: unknown): string | undefined {
  if (YAML.isScalar(n)) return n.value === null || n.value === undefined ? undefined : String(n.value);
  return undefined;
}

/** Reads a docker compose file (YAML, with positions). Never runs Docker; values are kept as written (see {@link interpolate}). */
export function parseCompose(text: string, file: string): ComposeFileInfo {
  const info: ComposeFileInfo = { file, services: [], problems: [], text, includes: [], isCompose: false };
  const lines = new LineIndex(text);
  const rangeOf = (n: unknown): Range => {
    const r = (n as YAML.Node | undefined)?.range ?? [0, 0, 0];
    return lines.range(r[0], r[1]);
  };
  let doc: YAML.Document.Parsed;
  try {
    doc = YAML.parseDocument(text, { prettyErrors: false, uniqueKeys: false });
  } catch (e) {
    info.problems.push({ message: `Crosswire could not read this compose file (${(e as Error).name})`, range: lines.range(0, 0) });
    return info;
  }
  for (const err of doc.errors.slice(0, 3)) {
    info.problems.push({ message: redactedYamlError(err, lines, err.pos[0]), range: lines.range(err.pos[0], err.pos[1]) });
  }
  if (!YAML.isMap(doc.contents)) return info;
  const name = scalarString(doc.get('name', true));
  if (name !== undefined) info.name = name;
  const include = doc.get('include', true);
  if (YAML.isSeq(include)) {
    info.isCompose = true;
    for (const it of include.items) {
      if (YAML.isScalar(it)) info.includes.push(String(it.value));
      else if (YAML.isMap(it)) {
        const p: unknown = it.get('path', true);
        if (YAML.isScalar(p)) info.includes.push(String(p.value));
        else if (YAML.isSeq(p)) for (const x of p.items) if (YAML.isScalar(x)) info.includes.push(String(x.value));
      }
    }
  }
  const services = doc.get('services', true);
  if (!YAML.isMap(services)) return info;
  info.isCompose = true;
  for (const item of services.items) {
    if (!YAML.isScalar(item.key) || !YAML.isMap(item.value)) continue;
    info.services.push(readService(file, item.key, item.value, rangeOf));
  }
  return info;
}

/** One entry of `services:`. */
function readService(file: string, key: YAML.Scalar, m: YAML.YAMLMap, rangeOf: (n: unknown) => Range): ComposeService {
  const svc: ComposeService = {
    file,
    name: String(key.value),
    nameRange: rangeOf(key),
    ports: [],
    rawPorts: [],
    profiles: [],
    environment: [],
    envFiles: [],
    dependsOn: [],
  };
  const image = m.get('image');
  if (typeof image === 'string') svc.image = image;
  const cn = m.get('container_name');
  if (typeof cn === 'string') svc.containerName = cn;
  const profiles = m.get('profiles');
  if (YAML.isSeq(profiles)) svc.profiles = profiles.items.map((x) => String(YAML.isScalar(x) ? x.value : x));
  const build: unknown = m.get('build', true);
  if (YAML.isScalar(build)) svc.build = { context: String(build.value), range: rangeOf(build) };
  else if (YAML.isMap(build))
    svc.build = {
      context: scalarString(build.get('context', true)) ?? '.',
      dockerfile: scalarString(build.get('dockerfile', true)),
      target: scalarString(build.get('target', true)),
      range: rangeOf(build),
    };
  const ext: unknown = m.get('extends', true);
  if (YAML.isScalar(ext)) svc.extends = { service: String(ext.value) };
  else if (YAML.isMap(ext)) {
    const s = scalarString(ext.get('service', true));
    if (s) svc.extends = { service: s, file: scalarString(ext.get('file', true)) };
  }
  const deps = m.get('depends_on', true);
  if (YAML.isSeq(deps)) svc.dependsOn = deps.items.map(scalarString).filter((x): x is string => !!x);
  else if (YAML.isMap(deps)) svc.dependsOn = deps.items.map((p) => scalarString(p.key)).filter((x): x is string => !!x);
  svc.environment = readEnvironment(m.get('environment', true), rangeOf);
  const envFile = m.get('env_file', true);
  const addEnvFile = (x: unknown) => {
    if (YAML.isScalar(x)) svc.envFiles.push({ path: String(x.value), required: true, range: rangeOf(x) });
    else if (YAML.isMap(x)) {
      const p = scalarString(x.get('path', true));
      if (p) svc.envFiles.push({ path: p, required: x.get('required') !== false, range: rangeOf(x) });
    }
  };
  if (YAML.isSeq(envFile)) envFile.items.forEach(addEnvFile);
  else addEnvFile(envFile);
  const ports = m.get('ports', true);
  if (YAML.isSeq(ports)) readPorts(svc, ports, rangeOf);
  const command = m.get('command', true);
  if (command) {
    const cmdText = YAML.isSeq(command)
      ? command.items.map((x) => String(YAML.isScalar(x) ? x.value : '')).join(' ')
      : String(YAML.isScalar(command) ? command.value : '');
    const mc = /max_connections\s*=\s*(\d+)/.exec(cmdText);
    if (mc) svc.maxConnections = { value: Number(mc[1]), range: rangeOf(command) };
  }
  return svc;
}

/** A service's `environment:`, as a map (`KEY: value`) or a list (`- KEY=value`, `- KEY`). */
function readEnvironment(env: unknown, rangeOf: (n: unknown) => Range): ComposeValue[] {
  const out: ComposeValue[] = [];
  if (YAML.isMap(env)) {
    for (const p of env.items) {
      const key = scalarString(p.key);
      if (!key) continue;
      const v: ComposeValue = { key, range: rangeOf(p.value ?? p.key) };
      const val = YAML.isScalar(p.value) ? p.value.value : undefined;
      if (val !== null && val !== undefined) v.value = String(val);
      out.push(v);
    }
  } else if (YAML.isSeq(env)) {
    for (const x of env.items) {
      const s = scalarString(x);
      if (!s) continue;
      const eq = s.indexOf('=');
      out.push(eq === -1 ? { key: s.trim(), range: rangeOf(x) } : { key: s.slice(0, eq).trim(), value: s.slice(eq + 1), range: rangeOf(x) });
    }
  }
  return out;
}

/** A service's `ports:` (short `"8080:80"` and long `{ published, target }` syntax); interpolated ones stay raw only. */
function readPorts(svc: ComposeService, ports: YAML.YAMLSeq, rangeOf: (n: unknown) => Range): void {
  for (const p of ports.items) {
    const range = rangeOf(p);
    if (YAML.isScalar(p)) {
      const spec = String(p.value);
      svc.rawPorts.push({ spec, range });
      if (!spec.includes('$')) for (const x of parsePortSpec(spec)) svc.ports.push({ ...x, range } as ComposePort);
    } else if (YAML.isMap(p)) {
      const raw: ComposeRawPort = {
        published: scalarString(p.get('published', true)),
        target: scalarString(p.get('target', true)),
        hostIp: scalarString(p.get('host_ip', true)),
        protocol: scalarString(p.get('protocol', true)),
        range,
      };
      svc.rawPorts.push(raw);
      if (![raw.published, raw.target, raw.hostIp, raw.protocol].some((x) => x?.includes('$')))
        for (const x of resolvePort(raw, () => undefined) ?? []) svc.ports.push({ ...x, range });
    }
  }
}

/** `max_connections = N` from a postgresql.conf. */
export function parsePostgresConf(text: string): { value: number; line: number; start: number; end: number } | undefined {
  const lines = text.split(/\r?\n/);
  let found: { value: number; line: number; start: number; end: number } | undefined;
  lines.forEach((l, i) => {
    const m = /^\s*max_connections\s*=\s*'?(\d+)'?/.exec(l);
    if (m) found = { value: Number(m[1]), line: i, start: l.indexOf('max_connections'), end: m[0].length };
  });
  return found;
}
