/**
 * The frameworks Crosswire knows, one module each. Adding a framework is one file (see types.ts) and one line here.
 */
import type { Framework } from '../model/types';
import type { FrameworkModule, ServeSpec } from './types';
import { nextjs } from './next';
import { vite } from './vite';
import { nest } from './nest';
import { remix } from './remix';
import { astro } from './astro';
import { nuxt } from './nuxt';
import { angular } from './angular';
import { cra } from './cra';
import { storybook } from './storybook';
import { expo } from './expo';
import { reactEmail } from './react-email';
import { wrangler } from './wrangler';
import { docusaurus } from './docusaurus';
import { gatsby } from './gatsby';
import { python } from './python';
import { rsbuild } from './rsbuild';
import { vitepress } from './vitepress';
import { mintlify } from './mintlify';
import { partykit } from './partykit';
import { strapi } from './strapi';
import { webpack } from './webpack';

export type { FrameworkModule, ServeSpec, ServeRole, PortArg } from './types';
export { flagPort, portNumber, hostPort } from './types';

/** In detection order: the first whose dependency an app has names its framework. */
export const FRAMEWORKS: readonly FrameworkModule[] = [
  nextjs,
  nuxt,
  remix,
  astro,
  angular,
  cra,
  gatsby,
  docusaurus,
  vitepress,
  mintlify,
  rsbuild,
  nest,
  expo,
  storybook,
  reactEmail,
  wrangler,
  partykit,
  strapi,
  webpack,
  vite,
  python,
];

/** The server command `bin args...` starts, if it is one a framework module knows. */
export function matchServe(bin: string, args: readonly string[]): { spec: ServeSpec; words: number } | undefined {
  for (const f of FRAMEWORKS) {
    const m = f.match(bin, args);
    if (m) return m;
  }
  return undefined;
}

/** Frameworks whose app is a server written in code (its port comes from its entry's `listen`/`serve`). */
export const CODE_SERVER_FRAMEWORKS: ReadonlySet<Framework> = new Set<Framework>(['express', 'fastify', 'koa', 'hono', 'nest', 'remix']);

/** Servers written in code (their port comes from a `listen` call), detected from dependencies. */
const CODE_SERVERS: [string, Framework][] = [
  ['@nestjs/core', 'nest'],
  ['express', 'express'],
  ['fastify', 'fastify'],
  ['koa', 'koa'],
  ['hono', 'hono'],
];

/** Frameworks that name an app only after the servers written in code (Express, Nest, ...). */
const AFTER_CODE_SERVERS: ReadonlySet<Framework> = new Set<Framework>(['vite', 'storybook', 'expo', 'webpack', 'partykit']);

/** The framework an app uses, from its dependencies. */
export function detectFramework(deps: Record<string, string>, python: boolean, hasPackage: boolean): Framework {
  // The framework that owns the app's server wins over a library it also depends on (a Next.js app depending on vite for tests).
  for (const f of FRAMEWORKS) if (!AFTER_CODE_SERVERS.has(f.framework) && f.deps.some((d) => deps[d])) return f.framework;
  for (const [dep, fw] of CODE_SERVERS) if (deps[dep]) return fw;
  // Tools a server app may also depend on (a bundler's dev server, a realtime sidecar): they name the app only when nothing else does.
  if (deps['webpack-dev-server']) return 'webpack';
  if (deps['partykit']) return 'partykit';
  if (deps['expo'] || deps['react-native']) return 'expo';
  if (deps['vite']) return 'vite';
  if (python) return 'python';
  return hasPackage ? 'node' : 'unknown';
}

/** The module of a framework, for its label and browser prefix. */
export function frameworkModule(fw: Framework): FrameworkModule | undefined {
  return FRAMEWORKS.find((f) => f.framework === fw);
}
