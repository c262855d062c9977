import type { App, EnvEntry, Fix, Listener } from '../model/types';
import { urlParts } from '../facts/replicas';
import { nextAuthVersion } from '../facts/auth';
import { appRule, type Report } from '../model/rule';
import { envLocation, fewNames, isLocalHost, replaceEnvValue } from '../facts/util';

/** Listeners started by a development command (`next dev`, `vite`, `nest start --watch`, a "dev" script). */
function isDevListener(l: Listener): boolean {
  if (l.framework === 'next') return /\bdev\b/.test(l.tool);
  return /\bdev\b|watch/i.test(l.script) || /\bdev\b|--watch/.test(l.command);
}

/** The listeners an env file's values apply to: development files to dev servers, production files to the others. */
function listenersFor(app: App, mode: string): Listener[] {
  if (mode === 'default') return app.listeners;
  if (mode === 'development') return app.listeners.filter(isDevListener);
  if (mode === 'production') return app.listeners.filter((l) => !isDevListener(l));
  return []; // test, staging, ...: another machine or no server
}

function withPort(value: string, port: number): string | undefined {
  const p = urlParts(value);
  if (!p) return undefined;
  const scheme = p.scheme.toLowerCase();
  const dflt = scheme === 'https://' ? 443 : scheme === 'http://' ? 80 : undefined;
  const host = p.hostport.replace(/:\d*$/, '');
  return `${p.scheme}${p.userinfo}${port === dflt ? host : `${host}:${port}`}${p.path}${p.rest}`;
}

export const nextauthUrlMismatch = appRule({
  id: 'nextauth-url-mismatch',
  docs: {
    description: 'NEXTAUTH_URL / AUTH_URL names a local port other than the one the app really listens on.',
    url: 'docs/rules/nextauth-url-mismatch.md',
  },
  defaultSeverity: 'warning',
  fixable: true,
  facts: ['env', 'listeners', 'code', 'package'],
  check(app, ctx) {
    if (!app.listeners.length) return;
    const version = nextAuthVersion(app);
    if (version === undefined) return;
    // v4 reads NEXTAUTH_URL only; Auth.js v5 reads AUTH_URL ?? NEXTAUTH_URL, so NEXTAUTH_URL is dead where AUTH_URL is set.
    const live = app.envFiles.filter((f) => f.kind === 'live');
    const hasAuthUrl = live.some((f) => f.entries.some((e) => e.key === 'AUTH_URL' && e.value.trim()));
    const keys = version === 4 ? ['NEXTAUTH_URL'] : version === 5 && hasAuthUrl ? ['AUTH_URL'] : ['AUTH_URL', 'NEXTAUTH_URL'];
    for (const f of live) {
      const listeners = listenersFor(app, f.mode);
      if (!listeners.length) continue;
      for (const e of f.entries) {
        if (!keys.includes(e.key)) continue;
        const report = check(app, e, listeners);
        if (report) ctx.report(report);
      }
    }
  },
});

function check(app: App, e: EnvEntry, listeners: Listener[]): Report | undefined {
  const value = (e.expanded ?? e.value).trim();
  const p = urlParts(value);
  if (!p || !/^https?:\/\/$/i.test(p.scheme) || !p.host) return undefined;
  // Only local URLs are compared: a real host name sits behind DNS, a proxy or a load balancer.
  if (!isLocalHost(p.host)) return undefined;
  const https = /^https/i.test(p.scheme);
  const port = p.port ? Number(p.port) : https ? 443 : 80;
  if (listeners.some((l) => l.port === port)) return undefined;
  const ports = [...new Set(listeners.map((l) => l.port))];
  const portText = p.port ? `port ${port}` : `no port (so ${port}, the ${https ? 'https' : 'http'} default)`;
  const fixes: Fix[] = [];
  if (ports.length === 1 && e.value === (e.expanded ?? e.value)) {
    const newValue = withPort(e.value.trim(), ports[0]);
    if (newValue !== undefined)
      fixes.push({ kind: 'safe', title: `Use port ${ports[0]} in ${e.key}`, preferred: true, edits: () => [replaceEnvValue(e, newValue)] });
  }
  return {
    message: `${e.key} of ${app.name} names ${portText}, but the app listens on ${fewNames(ports.map(String), 2, ['port', 'ports'])}.`,
    at: envLocation(e),
    related: listeners.map((l) => ({ location: l.source, message: `${app.name} listens on ${l.port}: ${l.reason}` })),
    fixes,
  };
}
