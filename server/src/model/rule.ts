/**
 * How a rule is written. A rule declares itself (id, docs, severity, fixability, the facts it reads) and reports
 * through a context that fills in its id and severity. The engine (engine/) owns incrementality: it caches each
 * rule's results per app or per group and re-runs a rule only where a fact it declared changed. Rules hold no caches.
 * See CONTRIBUTING.md ("Add a rule") and ARCHITECTURE.md.
 */
import type { App, Fix, Location, RelatedInfo, Severity, WorkspaceView } from './types';

/**
 * Facts of one app, compared by the engine after each edit (see engine/facts-diff.ts):
 * - `env`: its env files and their entries (values expanded);
 * - `code`: what the code parsers found in its source files (env defaults, listen calls, auth, cookies, CORS, pools);
 * - `schemas`: its Prisma schemas (datasources, problems);
 * - `listeners`: the server processes its scripts start, with their ports (and those whose port is unknown);
 * - `compose`: docker compose files in its folder;
 * - `pm2`: PM2 ecosystem files in its folder;
 * - `package`: its package.json (scripts, dependencies) and what follows from it (framework, Prisma major).
 * An app's id, name, folder, replica key and host are not facts: when they change, every rule runs again.
 */
export type AppFact = 'env' | 'code' | 'schemas' | 'listeners' | 'compose' | 'pm2' | 'package';

/**
 * Facts of the workspace outside apps: compose files anywhere, postgresql.conf files, monorepo roots' package.json,
 * and `otherFiles`: the text of files read on demand that belong to no app's facts (a module a constant is imported
 * from, a `.env` next to a compose file outside every app).
 */
export type WorkspaceFact = 'composeFiles' | 'postgresConfs' | 'monorepoRoots' | 'otherFiles';

/**
 * Facts computed from the facts of every app (facts/): declaring one means "I read this across the whole
 * workspace", so the rule runs again wherever one of its inputs changes in any app (facts/registry.ts lists them).
 */
export type DerivedFact =
  | 'runs'
  | 'machines'
  | 'composeModel'
  | 'databases'
  | 'secretSharing'
  | 'systems'
  | 'portCollisions'
  | 'pm2Entries'
  | 'constants'
  | 'serviceUrls'
  | 'corsLinks'
  | 'placeholderGuards'
  | 'publishedPorts'
  | 'composeUsers'
  | 'envFilesByPath'
  | 'serverUses'
  | 'listening'
  | 'portEnvFiles'
  | 'envPorts'
  | 'components'
  | 'containerEnv';

export type FactName = AppFact | WorkspaceFact | DerivedFact;

/** What a rule says about itself: the engine, the docs, the README table, SARIF and the editor read it. */
export interface RuleMeta {
  /** Stable kebab-case id: users put it in their configuration and in suppression comments. */
  id: string;
  docs: {
    /** One sentence: what the rule reports (the README table shows it). */
    description: string;
    /** The docs page inside the repository, e.g. docs/rules/duplicate-secret.md */
    url: string;
  };
  defaultSeverity: Severity;
  fixable: boolean;
}

/** One finding, as a rule reports it: the engine adds the rule id, the severity and the app. */
export interface Report {
  at: Location;
  message: string;
  related?: RelatedInfo[];
  /** Fixes, or a function computing them when asked (for fixes that read the whole workspace, e.g. a free port). */
  fixes?: Fix[] | (() => Fix[]);
  /** The app the finding is about (defaults to the app being checked, for a per-app rule). */
  app?: App;
  /** One step below the rule's default severity (error -> warning -> info): a weaker form of the problem. */
  weaker?: boolean;
  /** One step above it (info -> warning -> error): a form of the problem that certainly breaks (e.g. a file a tool rejects). */
  stronger?: boolean;
}

export interface RuleContext {
  /** The workspace, for facts that need it (facts/ functions take it). */
  readonly index: WorkspaceView;
  report(r: Report): void;
}

interface RuleBase extends RuleMeta {
  /** Every fact the rule reads, directly or through facts/ functions. Reading another one fails the tests. */
  facts: readonly FactName[];
}

/** A rule whose findings about an app depend on that app's facts (and on declared derived facts). */
export interface AppRule extends RuleBase {
  kind: 'app';
  /**
   * Derived facts (among `facts`) the rule reads only for the app it checks, through the part the fact gives each app
   * (facts/track.ts derivedPart): when one of them changes, the rule runs again only for the apps whose part is not
   * the same as when it last ran, not over every app.
   */
  ownParts?: readonly DerivedFact[];
  check(app: App, ctx: RuleContext): void;
}

export interface Member<T> {
  app: App;
  item: T;
}

/**
 * A rule about groups of apps sharing a key (a secret's value, a port, a database server, a cookie name): each app
 * contributes items under keys; `check` judges one group. Only groups whose members' facts changed are judged again.
 */
export interface GroupRule<T = unknown> extends RuleBase {
  kind: 'group';
  groupBy(app: App, ctx: { readonly index: WorkspaceView }): Iterable<readonly [string, T]>;
  check(key: string, members: readonly Member<T>[], ctx: RuleContext): void;
}

/**
 * A rule about the workspace as a whole (compose projects that publish one port): judged again whenever one of its
 * facts changed anywhere. Prefer the two shapes above: they are judged again only where something changed.
 */
export interface WorkspaceRule extends RuleBase {
  kind: 'workspace';
  check(ctx: RuleContext): void;
}

// biome-ignore lint/suspicious/noExplicitAny: a registry of grouped rules with different item types
export type Rule = AppRule | GroupRule<any> | WorkspaceRule;

/** Declares a per-app rule (typed helper). */
export function appRule(rule: Omit<AppRule, 'kind'>): AppRule {
  return { kind: 'app', ...rule };
}

/** Declares a workspace rule (typed helper). */
export function workspaceRule(rule: Omit<WorkspaceRule, 'kind'>): WorkspaceRule {
  return { kind: 'workspace', ...rule };
}

/** Declares a grouped rule (typed helper). */
export function groupRule<T>(rule: Omit<GroupRule<T>, 'kind'>): GroupRule<T> {
  return { kind: 'group', ...rule };
}
