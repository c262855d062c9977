import type { Finding, RelatedInfo, Rule, WorkspaceView } from '../model/types';
import { bindingsOf, labeler, machinesEpoch, publishedPorts, type AppBinding, type PublishedPort } from './machines';
import { AppGroups, perIndex, sameOr } from './incremental';
import { identity, listNames, rel } from './util';

/** Other stacks and apps named in a message, and related locations, per finding. */
const MAX_NAMED = 8;
const MAX_RELATED = 20;

/** Bindings on all interfaces and on loopback are the same host; two different specific addresses are not. */
function ipClass(ip: string | undefined): string {
  const x = (ip ?? '').replace(/^\[|\]$/g, '').toLowerCase();
  if (x === '' || x === '0.0.0.0' || x === '::') return '*';
  if (x === '127.0.0.1' || x === '::1' || x === 'localhost') return 'loopback';
  return x;
}

function overlap(a: string | undefined, b: string | undefined): boolean {
  const x = ipClass(a);
  const y = ipClass(b);
  return x === '*' || y === '*' || x === y;
}

function profiles(p: PublishedPort): string {
  return p.service.profiles.length ? ` (profile ${p.service.profiles.join(', ')})` : '';
}

export const composePortCollision: Rule = {
  id: 'compose-port-collision',
  docs: {
    description: 'A host port published by a docker compose service is also published by another compose stack, or bound by an app of the workspace.',
    url: 'docs/rules/compose-port-collision.md',
  },
  defaultSeverity: 'error',
  fixable: false,
  check(index: WorkspaceView): Finding[] {
    const st = state(index);
    const pubs = publishedPorts(index);
    // App servers by machine and port, kept up to date from the apps that changed (all again when another app changed machine).
    const dirty = st.bindings.update(index.apps, machinesEpoch(index));
    if (pubs !== st.pubs || dirty === 'all') {
      // Group by machine, protocol and host port: linear in the number of bindings.
      st.pubs = pubs;
      st.groups = new Map();
      for (const p of pubs) push(st.groups, `${p.machine}\0${p.port.protocol}\0${p.port.host}`, p);
      st.results = new Map();
      for (const [key, list] of st.groups) st.results.set(key, groupFindings(index, list, st.bindings.items(key) ?? []));
    } else {
      let changed = false;
      for (const key of dirty) {
        const list = st.groups.get(key);
        if (!list) continue;
        st.results.set(key, groupFindings(index, list, st.bindings.items(key) ?? []));
        changed = true;
      }
      if (!changed) return st.out;
    }
    const out: Finding[] = [];
    for (const r of st.results.values()) for (const f of r) out.push(f);
    st.out = sameOr(st.out, out);
    return st.out;
  },
};

const state = perIndex((index) => ({
  pubs: undefined as PublishedPort[] | undefined,
  groups: new Map<string, PublishedPort[]>(),
  bindings: new AppGroups<AppBinding>((app) => bindingsOf(index, app).map((b) => [`${b.machine}\0tcp\0${b.listener.port}`, b] as const)),
  results: new Map<string, Finding[]>(),
  out: [] as Finding[],
}));

/** The findings of one group of published ports and the app servers on the same machine, protocol and port. */
function groupFindings(index: WorkspaceView, pubs: PublishedPort[], apps: AppBinding[]): Finding[] {
  const findings: Finding[] = [];
  const reported = new Set<string>();
  const label = labeler(index);
  if (new Set(pubs.map((p) => p.stack)).size < 2 && apps.length === 0) return findings;
  for (const pub of pubs) {
    const where = `${pub.file.file}\0${pub.port.range.start.line}\0${pub.port.range.start.character}`;
    if (reported.has(where)) continue;
    const port = pub.port.host;
    const otherPubs = pubs.filter((o) => o.stack !== pub.stack && overlap(o.port.hostIp, pub.port.hostIp));
    // The app whose folder holds the stack usually runs either in it or on the host: not a collision with itself.
    const seen = new Set<string>();
    const otherApps = apps.filter((a) => {
      if (pub.app && identity(a.app) === identity(pub.app)) return false;
      const k = `${a.app.id}\0${a.listener.source.file}\0${a.listener.source.range.start.line}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    if (otherPubs.length === 0 && otherApps.length === 0) continue;
    reported.add(where);
    const stacks = new Map<string, PublishedPort[]>();
    for (const o of otherPubs) push(stacks, o.stack, o);
    const parts: string[] = [];
    let unnamed = 0;
    for (const list of stacks.values()) {
      if (parts.length < MAX_NAMED) parts.push(`${listNames(list.map((o) => `service ${o.service.name}${profiles(o)}`))} of ${rel(index, list[0].file.file)}`);
      else unnamed++;
    }
    const appNames = new Map<string, AppBinding[]>();
    for (const a of otherApps) push(appNames, a.app.id, a);
    for (const list of appNames.values()) {
      if (parts.length < MAX_NAMED) parts.push(`${label(list[0].app)} (${list[0].listener.reason})`);
      else unnamed++;
    }
    if (unnamed) parts.push(`${unnamed} more`);
    const verb = otherApps.length === 0 ? (parts.length > 1 ? 'publish' : 'publishes') : parts.length > 1 ? 'bind' : 'binds';
    const failure = otherApps.length > 0
      ? `whichever starts second fails (Docker: "Bind for 0.0.0.0:${port} failed: port is already allocated"; a server: EADDRINUSE)`
      : `the second \`docker compose up\` fails with "Bind for 0.0.0.0:${port} failed: port is already allocated"`;
    const machine = pub.machine === 'local' ? '' : ` on ${pub.machine.replace(/^replica:/, 'the machine of ')}`;
    const related: RelatedInfo[] = [
      ...otherPubs.slice(0, MAX_RELATED).map((o) => ({ location: { file: o.file.file, range: o.port.range }, message: `service ${o.service.name}${profiles(o)} publishes ${port} here` })),
      ...otherApps.slice(0, MAX_RELATED).map((a) => ({ location: a.listener.source, message: `${a.app.name} listens on ${port}: ${a.listener.reason}` })),
    ].slice(0, MAX_RELATED);
    findings.push({
      ruleId: 'compose-port-collision',
      severity: 'error',
      message:
        `Service ${pub.service.name}${profiles(pub)} in ${rel(index, pub.file.file)} publishes host port ${port}${pub.port.protocol === 'udp' ? '/udp' : ''}${machine}, ` +
        `and ${listNames(parts)} also ${verb} it. Only one of them can bind the port: ${failure}.`,
      location: { file: pub.file.file, range: pub.port.range },
      related,
      appId: pub.app?.id,
      fixes: [],
    });
  }
  return findings;
}

/** Appends to the list under `key` (created on first use). */
function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
