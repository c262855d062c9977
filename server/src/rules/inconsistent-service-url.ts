import { groupRule, type RuleContext } from '../model/rule';
import { fewNames, MAX_RELATED, originOf } from '../facts/util';
import { display, scopedServiceUrlSites, serviceGroup, type UrlSite } from '../facts/service-urls';

/** A host name with a public-looking domain (not an address, not a single-label or internal name). */
function isPublicHost(host: string): boolean {
  if (!host.includes('.') || /^[\d.]+$/.test(host) || host.includes(':')) return false;
  return !/\.(local|localhost|internal|lan|test|home|svc|cluster\.local)$/.test(host);
}

export const inconsistentServiceUrl = groupRule<UrlSite>({
  id: 'inconsistent-service-url',
  docs: {
    description:
      'A service URL (AUTH_SERVICE_URL, *_SERVICE_URL, *_API_URL) has different origins across the env files, templates and code defaults that define it.',
    url: 'docs/rules/inconsistent-service-url.md',
  },
  defaultSeverity: 'warning',
  fixable: false,
  facts: ['env', 'code', 'containerEnv', 'composeModel'],
  // Development values name local or internal services (localhost, a compose service name, an address); a public
  // domain there (`process.env.API_URL || "https://api.example.com"`) is the production default, not a competing
  // development value.
  // Values only compose services read (env_file) are the environment of their containers: see scopedServiceUrlSites.
  groupBy: (app, { index }) =>
    scopedServiceUrlSites(index, app)
      .filter((s) => !(s.bucket === 'development' && isPublicHost(originOf(s.value)?.host ?? '')))
      .map((s) => [`${serviceGroup(s.key, s.app)}\0${s.bucket}`, s] as const),
  check(_key, members, ctx) {
    const sites = members.map((m) => m.item);
    if (sites[0].bucket !== 'compose') {
      compare(sites, sites[0].bucket === 'development' ? '' : ` in the ${sites[0].bucket} environment`, ctx, new Set());
      return;
    }
    // Values only containers read: compared within each compose environment (one way of running a project), each
    // site reported once.
    const reported = new Set<UrlSite>();
    const envs = new Map<string, string>();
    for (const s of sites) for (const e of s.environments ?? []) envs.set(e.id, e.label);
    for (const [id, label] of [...envs].sort((a, b) => a[0].localeCompare(b[0])))
      compare(
        sites.filter((s) => s.environments?.some((e) => e.id === id)),
        ` in ${label}`,
        ctx,
        reported,
        label,
      );
  },
});

/** Reports the sites whose origin differs from the majority (every site when there is none), except those in `reported`. */
function compare(sites: UrlSite[], envNote: string, ctx: RuleContext, reported: Set<UrlSite>, containers?: string): void {
  const byOrigin = new Map<string, UrlSite[]>();
  for (const s of sites) {
    let l = byOrigin.get(s.origin);
    if (!l) byOrigin.set(s.origin, (l = []));
    l.push(s);
  }
  if (byOrigin.size < 2) return;
  const counts = [...byOrigin.entries()].sort((a, b) => b[1].length - a[1].length);
  const majority = counts[0][1].length > counts[1][1].length ? counts[0][0] : undefined;
  // Bounded text and related lists: a key defined in thousands of places must not cost sites × sites.
  const majorityValues = fewNames([...new Set(counts[0][1].slice(0, 3).map((x) => display(x.value)))], 2, ['URL', 'URLs']);
  const origins = fewNames(
    counts.map(([o]) => o),
    2,
    ['origin', 'origins'],
  );
  const relatedPool = counts.flatMap(([, ss]) => ss.slice(0, MAX_RELATED));
  for (const s of sites) {
    if ((majority && s.origin === majority) || reported.has(s)) continue;
    reported.add(s);
    const key = s.key;
    ctx.report({
      message: majority
        ? `${key} is ${display(s.value)} here but ${majorityValues} in ${counts[0][1].length} other ${counts[0][1].length === 1 ? 'place' : 'places'}${envNote}.`
        : containers
          ? `${key} differs between ${containers}: ${origins}.`
          : `${key} has ${byOrigin.size} different origins${envNote} and none is the majority: ${origins}.`,
      at: s.location,
      related: relatedPool
        .filter((o) => o !== s)
        .slice(0, MAX_RELATED)
        .map((o) => ({
          location: o.location,
          message: `${o.key} = ${display(o.value)} (${o.kind === 'code' ? 'default in code' : o.kind === 'template' ? 'template' : o.bucket === 'compose' ? 'env_file' : 'env file'} of ${o.app.name})`,
        })),
      app: s.app,
      fixes: [],
    });
  }
}
