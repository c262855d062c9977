import * as path from 'node:path';
import type { App, Listener, RelatedInfo, Severity, WorkspaceView } from '../model/types';
import type { ComposeProject, ResolvedService } from '../index/compose-projects';
import { machineOf, publishedPorts, type PublishedPort } from '../facts/machines';
import { projectUsers } from '../facts/compose-model';
import { workspaceRule, type Report } from '../model/rule';
import { components, runTogetherAmong } from '../facts/systems';
import { fewNames, identity, label, listNames, rel, runningListeners } from '../facts/util';

/**
 * Host ports published by docker compose services that cannot all be bound, judged by Compose's own model
 * (index/compose-projects.ts):
 * - One project is one set of containers: the same service name in one project is one container, whichever file
 *   defines it (`docker-compose.images.yml` beside `docker-compose.yml` runs the same services another way).
 * - Different services of one merged variant (`compose.yaml` + `compose.override.yaml`, a script's `-f a -f b`,
 *   `include:`) that publish one port collide when they run together: both in the default profile, or sharing a
 *   profile, or in profiles enabled together (`COMPOSE_PROFILES`, `--profile a --profile b`).
 * - Services of different projects collide only where something shows the projects run together: a script
 *   starts both (certain), or each is the infrastructure of a different app of the workspace (its compose file is
 *   in the app's folder, the app's script runs it, or the app's env names the port) (assumed). Independent example
 *   projects, alternative deployments and test stacks are not compared.
 * - A service published on a port an app's server listens on, when the service is infrastructure the app (or its
 *   system) uses. A service that builds or runs a workspace app is a containerised deployment: never compared with
 *   host dev servers, least of all with that app's own.
 * Ports whose value is unknown (an unset variable without default) are never compared. One finding per pair.
 */
export const composePortCollision = workspaceRule({
  id: 'compose-port-collision',
  docs: {
    description:
      'Two compose services that run together publish one host port, or a compose service publishes a port that an app running beside it listens on.',
    url: 'docs/rules/compose-port-collision.md',
  },
  defaultSeverity: 'error',
  fixable: false,
  facts: ['listeners', 'package', 'runs', 'components', 'machines', 'publishedPorts', 'composeModel', 'composeUsers', 'monorepoRoots'],
  check(ctx) {
    for (const r of computeFindings(ctx.index, publishedPorts(ctx.index))) ctx.report(r);
  },
});

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

function profileText(s: ResolvedService): string {
  return s.profiles.length ? ` (profile ${s.profiles.join(', ')})` : '';
}

/** Whether two services of one variant run together, given their profiles. */
function profilesMeet(project: ComposeProject, a: ResolvedService, b: ResolvedService, enabledTogether: string[][]): boolean {
  if (a.profiles.length === 0 || b.profiles.length === 0) return true;
  if (a.profiles.includes('*') || b.profiles.includes('*')) return true;
  if (a.profiles.some((p) => b.profiles.includes(p))) return true;
  const sets = [project.enabledProfiles, ...enabledTogether];
  return sets.some((set) => set.includes('*') || (a.profiles.some((p) => set.includes(p)) && b.profiles.some((p) => set.includes(p))));
}

interface Pair {
  a: PublishedPort;
  b: PublishedPort;
  ports: PublishedPort[];
  severity: Severity;
  why: string;
}

interface AppPair {
  pub: PublishedPort;
  app: App;
  l: Listener;
  ports: number[];
  severity: Severity;
  why: string;
}

function computeFindings(index: WorkspaceView, pubs: PublishedPort[]): Report[] {
  if (pubs.length === 0) return [];
  const byPort = new Map<string, PublishedPort[]>();
  for (const p of pubs) {
    const k = `${p.machine}\0${p.port.protocol}\0${p.port.host}`;
    const list = byPort.get(k) ?? [];
    list.push(p);
    byPort.set(k, list);
  }
  const pairs = new Map<string, Pair>();
  for (const list of byPort.values()) {
    if (new Set(list.map((p) => p.resolved.key)).size < 2) continue;
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length && j < i + 200; j++) {
        let [a, b] = [list[i], list[j]];
        if (a.resolved.key === b.resolved.key || !overlap(a.port.hostIp, b.port.hostIp)) continue;
        const rel = relation(index, a, b);
        if (!rel) continue;
        // Reported on the later file (by path), the other one related.
        if (a.file.file.localeCompare(b.file.file) > 0 || (a.file.file === b.file.file && a.port.range.start.line > b.port.range.start.line)) [a, b] = [b, a];
        const key = `${b.stack}\0${b.resolved.name}\0${a.stack}\0${a.resolved.name}`;
        const cur = pairs.get(key);
        if (cur) {
          if (!cur.ports.some((p) => p.port.host === b.port.host)) cur.ports.push(b);
        } else pairs.set(key, { a, b, ports: [b], ...rel });
      }
    }
  }
  const findings: Report[] = [];
  for (const pr of pairs.values()) findings.push(pairFinding(index, pr));
  findings.push(...appFindings(index, pubs));
  return findings;
}

/** Database images that are versions or drop-in variants of one another: the same role on the same port. */
const IMAGE_FAMILIES: Record<string, string> = {
  mysql: 'mysql',
  mariadb: 'mysql',
  'percona-server': 'mysql',
  percona: 'mysql',
  postgres: 'postgres',
  postgis: 'postgres',
  timescaledb: 'postgres',
  'timescaledb-ha': 'postgres',
  mongo: 'mongo',
  redis: 'redis',
  valkey: 'redis',
  'redis-stack-server': 'redis',
};

/** The family of a service's image (`postgres:16` and `postgis/postgis:15-3.4` -> postgres), when it is a known database. */
function imageOf(s: ResolvedService): string | undefined {
  return [...s.definitions].reverse().find((d) => d.image)?.image;
}

function imageFamily(s: ResolvedService): string | undefined {
  const image = imageOf(s);
  if (!image) return undefined;
  const repo = image.replace(/@.*$/, '').replace(/:[^/:]*$/, '');
  return IMAGE_FAMILIES[repo.slice(repo.lastIndexOf('/') + 1).toLowerCase()];
}

/** How sure Crosswire is that two published ports of different services are bound at the same time. */
function relation(index: WorkspaceView, a: PublishedPort, b: PublishedPort): { severity: Severity; why: string } | undefined {
  const pa = a.resolved.project;
  const pb = b.resolved.project;
  if (a.variant === b.variant) {
    // Versions of one database (`postgres_12` and `postgres_16`, `mysql_8` and `mariadb`) on one port are alternatives:
    // one is started by name (`docker compose up -d postgres_16`), never all of them.
    // (The very same image twice, `db` and `test-db` on 5432, is a real collision: `docker compose up` starts both.)
    const fa = imageFamily(a.resolved);
    if (fa !== undefined && fa === imageFamily(b.resolved) && imageOf(a.resolved) !== imageOf(b.resolved)) return undefined;
    const together = a.variant.startedBy.map((inv) => inv.profiles).filter((x) => x.length > 0);
    if (!profilesMeet(pa, a.resolved, b.resolved, together)) return undefined;
    const files =
      a.variant.files.length > 1
        ? `Compose merges ${listNames(a.variant.files.map((f) => rel(index, f.file)))} into one project`
        : `both are services of project ${pa.name}`;
    return { severity: 'error', why: `${files}, so \`docker compose up\` starts both` };
  }
  if (pa === pb || (pa.name === pb.name && pa.dir === pb.dir)) return undefined; // alternative files of one project
  // A script that starts both projects.
  const scriptsA = new Set(a.variant.startedBy.filter((i) => i.command === 'up' || i.command === 'run' || i.command === 'start').map((i) => i.script));
  const both = b.variant.startedBy.find((i) => scriptsA.has(i.script));
  if (both) return { severity: 'error', why: `script "${both.script.name}" starts both projects` };
  // Infrastructure of two different apps (projects that run no workspace code, each in the folder of its own
  // apps): a developer running both apps on one machine runs both. Projects that run workspace code are
  // self-contained stacks (examples, deployments), not compared with each other without a script.
  const ua = projectUsers(index, pa);
  const ub = projectUsers(index, pb);
  if (!ua.infraOnly || !ub.infraOnly || ua.home.size === 0 || ub.home.size === 0) return undefined;
  for (const app of ua.home.keys()) if (ub.home.has(app)) return undefined; // alternatives for the same apps
  // Side-by-side checkouts of separate apps are assumed to be run on one machine (the setting Crosswire is for). Packages
  // of one monorepo only when they run together: one system (one calls the other, they share a database server or a
  // secret) or one script starting them; a monorepo's independent examples, each with its own stack, run one at a time.
  const within = (dir: string, p: string) => p === dir || p.startsWith(dir + path.sep);
  const oneRepo = index.monorepoRoots.some(
    (r) => [...ua.home.keys()].some((x) => within(r.dir, x.dir)) && [...ub.home.keys()].some((y) => within(r.dir, y.dir)),
  );
  if (oneRepo) {
    const together = runTogetherAmong(index, [...ua.home.keys(), ...ub.home.keys()]);
    if (![...ua.home.keys()].some((x) => [...ub.home.keys()].some((y) => together(x, y)))) return undefined;
  }
  const where = (p: ComposeProject) => rel(index, p.dir) || '.';
  return {
    severity: 'error',
    why: `the two projects are the infrastructure of different apps of this workspace (those of ${where(pb)} and of ${where(pa)}), assumed to be run on one machine`,
  };
}

function pairFinding(index: WorkspaceView, pr: Pair): Report {
  const { a, b } = pr;
  const ports = pr.ports.map((p) => `${p.port.host}${p.port.protocol === 'udp' ? '/udp' : ''}`);
  const machine = b.machine === 'local' ? '' : ` on ${b.machine.replace(/^replica:/, 'the machine of ')}`;
  const other =
    a.resolved.project === b.resolved.project || a.variant === b.variant
      ? `service ${a.resolved.name}${profileText(a.resolved)}`
      : `service ${a.resolved.name}${profileText(a.resolved)} of ${rel(index, a.file.file)}`;
  const related: RelatedInfo[] = [
    { location: { file: a.file.file, range: a.port.range }, message: `service ${a.resolved.name} publishes ${a.port.host} here (${pr.why})` },
  ];
  for (const p of pr.ports.slice(1))
    related.push({ location: { file: p.file.file, range: p.port.range }, message: `service ${b.resolved.name} also publishes ${p.port.host} here` });
  return {
    weaker: pr.severity !== 'error',
    message: `Service ${b.resolved.name}${profileText(b.resolved)} publishes host port${ports.length > 1 ? 's' : ''} ${fewNames(ports, 3, ['port', 'ports'])}${machine}, like ${other}.`,
    at: { file: b.file.file, range: b.port.range },
    related: related.slice(0, 20),
    app: b.app,
    fixes: [],
  };
}

/** Compose services that publish a port an app's server binds, when the app runs beside the project. */
function appFindings(index: WorkspaceView, pubs: PublishedPort[]): Report[] {
  const runs = index.runs();
  // Only the listeners on a port some service publishes can be compared.
  const published = new Set(pubs.map((p) => p.port.host));
  const byPort = new Map<string, { app: App; l: Listener }[]>();
  for (const app of index.apps) {
    let machine: string | undefined;
    for (const l of runningListeners(app, runs)) {
      if (!published.has(l.port)) continue;
      machine ??= machineOf(index, app);
      const k = `${machine}\0${l.port}`;
      const list = byPort.get(k) ?? [];
      list.push({ app, l });
      byPort.set(k, list);
    }
  }
  if (byPort.size === 0) return [];
  const sys = components(index);
  const pairs = new Map<string, AppPair>();
  for (const pub of pubs) {
    if (pub.port.protocol !== 'tcp') continue;
    const s = pub.resolved;
    // A service that runs workspace code is a containerised deployment of it: it replaces the host servers.
    if (s.app || s.buildsWorkspace) continue;
    const listeners = byPort.get(`${pub.machine}\0${pub.port.host}`);
    if (!listeners) continue;
    const users = projectUsers(index, s.project).users;
    if (users.size === 0) continue;
    for (const { app, l } of listeners) {
      // The same variant runs this app as a container of its own: with it up, the app is not a server on the host.
      if (pub.variant.services.some((x) => x.app && x.app.dir === app.dir)) continue;
      let why: string | undefined;
      const direct = [...users].find(([u]) => identity(u) === identity(app));
      if (direct) why = `${label(index, app)} uses project ${s.project.name} (${direct[1]})`;
      else {
        const comp = sys.component.get(identity(app));
        const mate = [...users].find(([u]) => comp !== undefined && sys.component.get(identity(u)) === comp);
        if (mate) why = `project ${s.project.name} is used by an app assumed to run with ${label(index, app)} (one system)`;
      }
      if (!why) continue;
      const key = `${pub.stack}\0${s.name}\0${app.id}`;
      const cur = pairs.get(key);
      if (cur) {
        if (!cur.ports.includes(pub.port.host)) cur.ports.push(pub.port.host);
        continue;
      }
      pairs.set(key, { pub, app, l, ports: [pub.port.host], severity: l.drifts ? 'warning' : 'error', why });
    }
  }
  const out: Report[] = [];
  for (const pr of pairs.values()) {
    const { pub, app, l } = pr;
    const consequence = l.drifts
      ? `${label(index, app)}'s server moves to another port when ${pub.port.host} is taken, and the container fails to start when the server was first`
      : `whichever starts second fails (Docker: "Bind for 0.0.0.0:${pub.port.host} failed: port is already allocated"; the server: EADDRINUSE)`;
    out.push({
      weaker: pr.severity !== 'error',
      message: `Service ${pub.resolved.name}${profileText(pub.resolved)} publishes host port ${pub.port.host}, which ${label(index, app)} also listens on.`,
      at: { file: pub.file.file, range: pub.port.range },
      related: [{ location: l.source, message: `${app.name} listens on ${l.port}: ${l.reason} (${pr.why}; ${consequence})` }],
      app: pub.app ?? app,
      fixes: [],
    });
  }
  return out;
}
