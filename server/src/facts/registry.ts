/**
 * What each derived fact is computed from. The engine re-runs a rule that declared a derived fact wherever one of
 * its inputs changes; fact checking (track.ts) makes a derived fact that reads an input not listed here fail the tests.
 */
import type { AppFact, DerivedFact, FactName, WorkspaceFact } from '../model/rule';

export const APP_FACTS: readonly AppFact[] = ['env', 'code', 'schemas', 'listeners', 'compose', 'pm2', 'package'];
export const WORKSPACE_FACTS: readonly WorkspaceFact[] = ['composeFiles', 'postgresConfs', 'monorepoRoots', 'otherFiles'];

export const DERIVED_INPUTS: Record<DerivedFact, readonly FactName[]> = {
  /** Which server processes run, and which run together (index/runs.ts). */
  runs: ['package', 'listeners', 'monorepoRoots'],
  /** Compose projects, their services and the apps they belong to (facts/compose-model.ts). */
  composeModel: ['compose', 'composeFiles', 'package', 'listeners', 'monorepoRoots', 'otherFiles'],
  /** The machine each app runs on, the ports compose publishes there (facts/machines.ts). */
  machines: ['env'],
  /** Database servers the apps use, their connection limits and process counts (facts/databases.ts). */
  databases: ['publishedPorts', 'postgresConfs', 'machines'],
  /** Apps that must share a secret: token signers and verifiers, `sharedSecrets` groups (facts/secret-sharing.ts). */
  secretSharing: ['code'],
  /** Apps linked by their configuration, assumed to run together (facts/systems.ts). */
  systems: ['env', 'code', 'schemas', 'listeners', 'package', 'runs', 'machines', 'publishedPorts'],
  /** Servers of apps that run together and want one port (facts/port-collisions.ts). */
  portCollisions: ['listeners', 'runs', 'systems'],
  /** PM2 processes of every ecosystem file, with the app each starts (facts/sessions.ts). */
  pm2Entries: ['pm2'],
  /** String constants exported by code files, resolved across files (facts/sessions.ts resolveConst). */
  constants: ['code', 'otherFiles'],
  /** Service-URL sites of every app with a local web origin, by service (facts/listening.ts). */
  serviceUrls: ['env', 'code', 'machines', 'containerEnv'],
  /** What listens where: app servers, published compose ports, servers whose port is unknown (facts/listening.ts). */
  listening: ['listeners', 'package', 'machines', 'publishedPorts'],
  /** Env files some server loads and takes PORT from, whatever port it is (facts/listening.ts): not the ports themselves. */
  portEnvFiles: ['listeners'],
  /** Frontends' API URLs and the backends they point at (facts/cors.ts). */
  corsLinks: ['env', 'code', 'listeners', 'package'],
  /** Placeholder values each app's code refuses (facts/secrets.ts). */
  placeholderGuards: ['code'],
  /** Host ports compose services publish, with the machine of each (facts/machines.ts). */
  publishedPorts: ['compose', 'composeFiles', 'composeModel', 'machines'],
  /** Apps that use each compose project while they run on the host (facts/compose-model.ts). */
  /** Every env file by path, with its app (facts/env.ts). */
  envFilesByPath: ['env'],
  /** Who uses each database server (facts/datasources.ts). */
  serverUses: ['env', 'schemas', 'package', 'listeners', 'pm2', 'code'],
  composeUsers: ['composeModel', 'envPorts', 'package', 'listeners', 'monorepoRoots'],
  /** The local ports each app's env files name (facts/compose-model.ts). */
  envPorts: ['env'],
  /** Which system each app belongs to (facts/systems.ts). */
  components: ['systems'],
  /** Env files only compose services load (env_file), and which compose environment gets each entry (facts/compose-model.ts). */
  containerEnv: ['composeModel', 'code', 'package', 'listeners', 'monorepoRoots'],
};

/**
 * Derived facts whose value holds no App object (apps appear by id or as plain names and folders): when an edit
 * changes none of their inputs, their value is still the value of the new state of the index (track.ts carry).
 * A value that holds App objects is not: the re-derived app is a new object, and rules look apps up by object.
 */
export const CARRIED: ReadonlySet<DerivedFact> = new Set<DerivedFact>([
  'composeModel',
  'containerEnv',
  'portEnvFiles',
  'placeholderGuards',
  'pm2Entries',
  'secretSharing',
  'envPorts',
  'databases',
]);

const closures = new Map<FactName, ReadonlySet<FactName>>();

/** A derived fact's inputs, with the inputs of the derived facts among them (transitively): what it may read. */
export function inputsOf(fact: FactName): ReadonlySet<FactName> {
  let hit = closures.get(fact);
  if (hit) return hit;
  const out = new Set<FactName>();
  const visit = (f: FactName) => {
    for (const i of (DERIVED_INPUTS as Record<string, readonly FactName[]>)[f] ?? []) {
      if (out.has(i)) continue;
      out.add(i);
      visit(i);
    }
  };
  visit(fact);
  closures.set(fact, (hit = out));
  return hit;
}

export function isAppFact(f: FactName): f is AppFact {
  return (APP_FACTS as readonly string[]).includes(f);
}

/** The app and workspace facts a rule's declaration reaches through its derived and workspace facts (for re-runs). */
export function wideInputs(facts: readonly FactName[]): Set<FactName> {
  const out = new Set<FactName>();
  for (const f of facts) {
    if (isAppFact(f)) continue;
    if ((WORKSPACE_FACTS as readonly string[]).includes(f)) out.add(f);
    for (const i of inputsOf(f)) if (isAppFact(i) || (WORKSPACE_FACTS as readonly string[]).includes(i)) out.add(i);
  }
  return out;
}

/** Derived facts in an order where each comes after its inputs. */
export const DERIVED_ORDER: readonly DerivedFact[] = (() => {
  const out: DerivedFact[] = [];
  const visit = (f: DerivedFact) => {
    if (out.includes(f)) return;
    for (const i of DERIVED_INPUTS[f]) if (i in DERIVED_INPUTS) visit(i as DerivedFact);
    out.push(f);
  };
  for (const f of Object.keys(DERIVED_INPUTS) as DerivedFact[]) visit(f);
  return out;
})();
