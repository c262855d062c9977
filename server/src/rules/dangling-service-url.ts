import type { App, EnvEntry, Fix, Range, RelatedInfo, WorkspaceView } from '../model/types';
import { display, type UrlSite } from '../facts/service-urls';
import { machineOf, type AppBinding } from '../facts/machines';
import { fewNames, identity, label, portEdit } from '../facts/util';
import { appRule, type Report } from '../model/rule';
import { appsByWord, appWords, listening, parsedOf, serviceUrlsByGroup, serviceWords, type Parsed } from '../facts/listening';
/** `scheme://[user@]host` then an optional `:port`, at the start of a URL. */
/** Where the URL's text is written: the value inside its quotes for an env line, the string for a code default. */
function urlRange(site: UrlSite): { range: Range; entry?: EnvEntry } | undefined {
  if (site.kind === 'code') return { range: site.location.range };
  for (const f of site.app.envFiles) {
    if (f.file !== site.location.file) continue;
    const e = f.entries.find((x) => x.range.start.line === site.location.range.start.line && x.key === site.key);
    // `${VAR}` in the value: the written text is not the URL; no edit.
    if (e && (e.expanded ?? e.value) === e.value) return { range: e.innerRange, entry: e };
    return undefined;
  }
  return undefined;
}

export const danglingServiceUrl = appRule({
  id: 'dangling-service-url',
  docs: {
    description:
      'A local service URL (*_SERVICE_URL, *_API_URL) names a port on which no app of the workspace listens and no docker compose service publishes.',
    url: 'docs/rules/dangling-service-url.md',
  },
  defaultSeverity: 'warning',
  fixable: true,
  facts: ['env', 'code', 'listeners', 'machines', 'serviceUrls', 'listening', 'containerEnv', 'composeModel'],
  // (read key by key: an edit of a port re-runs it only for the apps whose URLs asked about that port)
  ownParts: ['listening'],
  check(app, ctx) {
    const index = ctx.index;
    const l = listening(index);
    const byGroup = serviceUrlsByGroup(index);
    // Per service: the development sites that point at a live port (at most 10 named), and their ports.
    const boundPeers = new Map<string, { list: Parsed[]; ports: number[] }>();
    for (const x of parsedOf(index, app)) {
      if (l.isBound(x.key)) continue;
      const { s, machine } = x;
      // Apps on that machine whose package.json Crosswire cannot read: they may listen there.
      const unsure = l
        .unknownApps()
        .filter((u) => machineOf(index, u.app) === machine && identity(u.app) !== identity(s.app))
        .slice(0, 5);
      // The app the key names, when exactly one other app matches every word of the service name.
      const words = serviceWords(s.key);
      let named: App[] = [];
      if (words.length) {
        const candidates = appsByWord(index).get(words[0]) ?? [];
        named = candidates.filter((a) => identity(a) !== identity(s.app) && words.every((w) => appWords(a).has(w)));
        named = [...new Map(named.map((a) => [identity(a), a])).values()];
      }
      const namedApp = named.length === 1 ? named[0] : undefined;
      const bindings = namedApp ? l.bindingsOf(namedApp) : [];
      // An app it names whose servers Crosswire cannot see (port computed at run time): it may listen there.
      if (namedApp && bindings.length === 0) continue;
      const namedBindings = bindings.filter((b) => b.machine === machine);
      // Unless the URL names a service Crosswire knows to listen elsewhere, a server whose port it cannot know (an
      // unreadable package.json, a port computed at run time, a Python service started in a way it does not read)
      // may be the one listening there: unknown is not "nothing".
      // (The app's own server of unknown port counts too: a mock API it runs beside itself may be what its URL names.)
      const ownUnknown = identity(s.app) === identity(app) && app.unknownPorts.length > 0 && machineOf(index, app) === machine;
      if (!namedBindings.length && (unsure.length || ownUnknown || l.unseen().some((a) => identity(a) !== identity(s.app) && machineOf(index, a) === machine)))
        continue;
      // A replica's own machine inferred without evidence (no URL or configuration names it): what else runs there is unknown.
      if (!namedBindings.length && machine.startsWith('replica:')) continue;
      // The other development sites of the same service that do point at a live port.
      let bp = boundPeers.get(x.group);
      if (!bp) {
        const list = (byGroup.get(x.group) ?? []).filter((y) => l.isBound(y.key));
        boundPeers.set(x.group, (bp = { list: list.slice(0, 10), ports: [...new Set(list.map((y) => y.o.port))] }));
      }
      ctx.report(danglingFinding(index, x, unsure, namedApp, namedBindings, bp.list, bp.ports));
    }
  },
});

function danglingFinding(
  index: WorkspaceView,
  x: Parsed,
  unsure: { app: App; file: string }[],
  namedApp: App | undefined,
  namedBindings: AppBinding[],
  peers: Parsed[],
  peerPorts: number[],
): Report {
  const { s, o, machine } = x;
  const namedPorts = [...new Set(namedBindings.map((b) => b.listener.port))];
  const target = namedPorts.length === 1 ? namedPorts[0] : !namedApp && peerPorts.length === 1 ? peerPorts[0] : undefined;

  const related: RelatedInfo[] = [];
  for (const b of namedBindings)
    related.push({ location: b.listener.source, message: `${label(index, b.app)} listens on ${b.listener.port}: ${b.listener.reason}` });
  for (const x of peers)
    related.push({
      location: x.s.location,
      message: `${x.s.key} = ${display(x.s.value)} (${x.s.kind === 'code' ? 'default in code' : x.s.kind === 'template' ? 'template' : 'env file'} of ${x.s.app.name}), where something listens`,
    });

  for (const u of unsure)
    related.push({
      location: { file: u.file, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } },
      message: `${u.app.name}: package.json could not be read, so its servers are unknown`,
    });

  let hint: string;
  if (namedApp && namedPorts.length) hint = ` (${label(index, namedApp)} listens on ${fewNames(namedPorts.map(String), 2, ['port', 'ports'])})`;
  else if (peerPorts.length) hint = ` (other definitions point at ${fewNames(peerPorts.map(String), 2, ['port', 'ports'])})`;
  else hint = '';
  const fixes: Fix[] = [];
  const written = target !== undefined ? urlRange(s) : undefined;
  if (target !== undefined && written) {
    fixes.push({
      kind: 'judgement',
      title: `Point ${s.key} at port ${target}${namedApp ? ` (${namedApp.name})` : ''}`,
      preferred: true,
      edits: () => {
        const e = portEdit(index, s.location.file, written.range, target);
        return e ? [e] : [];
      },
    });
  }
  const what = s.kind === 'code' ? `The default of ${s.key} in code` : s.kind === 'template' ? `${s.key} in this template` : s.key;
  return {
    message:
      `${what} points at ${display(s.value)}, but nothing in the workspace listens on port ${o.port}${machine === 'local' ? '' : ` of ${machine.replace(/^replica:/, 'the machine of ')}`}` +
      (hint ||
        (unsure.length
          ? ` (unless ${fewNames(
              unsure.map((u) => label(index, u.app)),
              1,
            )}, whose package.json could not be read, does)`
          : '')) +
      '.',
    at: s.location,
    related,
    app: s.app,
    fixes,
  };
}
