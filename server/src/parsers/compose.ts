import * as YAML from 'yaml';
import type { ComposeFileInfo, ComposePort, ComposeService } from '../model/types';
import { LineIndex } from '../model/text';

/** docker compose file names, and the override files Compose merges into them. */
export function isComposeFile(name: string): boolean {
  return /^(docker-)?compose(\.[\w-]+)?\.ya?ml$/.test(name);
}

/** The stack a compose file belongs to: `compose.override.yaml` merges into `compose.yaml` in the same folder. */
export function composeStackKey(file: string): string {
  return file.replace(/(docker-)?compose(\.override)?\.ya?ml$/, 'compose');
}

function parsePortSpec(spec: string): { host?: number; container?: number; hostIp?: string; protocol: 'tcp' | 'udp' }[] {
  // [HOST_IP:]HOST[-HOST_END]:CONTAINER[-END][/PROTO] or CONTAINER (no host port published)
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
  if (parts.length !== 2) return []; // only a container port: nothing published on a fixed host port
  const [h, c] = parts;
  const range = (x: string) => x.split('-').map(Number);
  const hr = range(h);
  const cr = range(c);
  if (hr.some((n) => !Number.isInteger(n) || n <= 0 || n > 65535)) return [];
  const out = [];
  for (let p = hr[0], i = 0; p <= (hr[1] ?? hr[0]) && i < 1000; p++, i++) out.push({ host: p, container: cr[0] + (cr.length > 1 ? i : 0), hostIp, protocol } as const);
  return out;
}

/** Reads a docker compose file (YAML, with positions). Never runs Docker, never interpolates. */
export function parseCompose(text: string, file: string): ComposeFileInfo {
  const info: ComposeFileInfo = { file, services: [], problems: [], text };
  const lines = new LineIndex(text);
  let doc: YAML.Document.Parsed;
  try {
    doc = YAML.parseDocument(text, { prettyErrors: false, uniqueKeys: false });
  } catch (e) {
    info.problems.push({ message: `Crosswire could not read this compose file: ${(e as Error).message}`, range: lines.range(0, 0) });
    return info;
  }
  for (const err of doc.errors.slice(0, 3)) {
    info.problems.push({ message: `Invalid YAML: ${err.message.split('\n')[0]}`, range: lines.range(err.pos[0], err.pos[1]) });
  }
  const services = doc.get('services', true);
  if (!YAML.isMap(services)) return info;
  for (const item of services.items) {
    if (!YAML.isScalar(item.key) || !YAML.isMap(item.value)) continue;
    const kr = item.key.range ?? [0, 0, 0];
    const svc: ComposeService = { file, name: String(item.key.value), nameRange: lines.range(kr[0], kr[1]), ports: [], profiles: [] };
    const m = item.value;
    const image = m.get('image');
    if (typeof image === 'string') svc.image = image;
    const profiles = m.get('profiles');
    if (YAML.isSeq(profiles)) svc.profiles = profiles.items.map((x) => String(YAML.isScalar(x) ? x.value : x));
    const ports = m.get('ports', true);
    if (YAML.isSeq(ports)) {
      for (const p of ports.items) {
        const r = (p as YAML.Node).range ?? [0, 0, 0];
        const range = lines.range(r[0], r[1]);
        if (YAML.isScalar(p)) {
          for (const x of parsePortSpec(String(p.value))) if (x.host) svc.ports.push({ host: x.host, container: x.container, hostIp: x.hostIp, protocol: x.protocol, range } as ComposePort);
        } else if (YAML.isMap(p)) {
          const published = Number(p.get('published'));
          if (Number.isInteger(published) && published > 0) {
            const hostIp = p.get('host_ip');
            svc.ports.push({ host: published, container: Number(p.get('target')) || undefined, hostIp: typeof hostIp === 'string' ? hostIp : undefined, protocol: p.get('protocol') === 'udp' ? 'udp' : 'tcp', range });
          }
        }
      }
    }
    const command = m.get('command', true);
    if (command) {
      const r = (command as YAML.Node).range ?? [0, 0, 0];
      const cmdText = YAML.isSeq(command) ? command.items.map((x) => String(YAML.isScalar(x) ? x.value : '')).join(' ') : String(YAML.isScalar(command) ? command.value : '');
      const mc = /max_connections\s*=\s*(\d+)/.exec(cmdText);
      if (mc) svc.maxConnections = { value: Number(mc[1]), range: lines.range(r[0], r[1]) };
    }
    info.services.push(svc);
  }
  return info;
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
