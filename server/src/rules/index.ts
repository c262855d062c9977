import type { Rule, RuleMeta } from '../model/rule';
import { duplicateSecret } from './duplicate-secret';
import { portCollision } from './port-collision';
import { ineffectivePort } from './ineffective-port';
import { implicitPort } from './implicit-port';
import { missingConnectionLimit } from './missing-connection-limit';
import { inconsistentServiceUrl } from './inconsistent-service-url';
import { danglingServiceUrl } from './dangling-service-url';
import { misdirectedServiceUrl } from './misdirected-service-url';
import { sharedDatabase } from './shared-database';
import { connectionBudget } from './connection-budget';
import { composePortCollision } from './compose-port-collision';
import { replicaDrift } from './replica-drift';
import { duplicateNodeId } from './duplicate-node-id';
import { weakSecret } from './weak-secret';
import { missingSecret } from './missing-secret';
import { nextauthUrlMismatch } from './nextauth-url-mismatch';
import { sharedSessionCookie } from './shared-session-cookie';
import { cookieOptions } from './cookie-options';
import { clusterWithoutSessionStore } from './cluster-without-session-store';
import { corsOriginMismatch } from './cors-origin-mismatch';

/** Every rule, in documentation order. Rule ids are stable: users put them in config and suppression comments. */
export const RULES: readonly Rule[] = [
  duplicateSecret,
  portCollision,
  ineffectivePort,
  implicitPort,
  missingConnectionLimit,
  inconsistentServiceUrl,
  replicaDrift,
  duplicateNodeId,
  weakSecret,
  missingSecret,
  nextauthUrlMismatch,
  sharedSessionCookie,
  cookieOptions,
  clusterWithoutSessionStore,
  corsOriginMismatch,
  danglingServiceUrl,
  misdirectedServiceUrl,
  sharedDatabase,
  connectionBudget,
  composePortCollision,
];

/** Not a rule module: the engine reports files it could not read under this id. */
export const PARSE_ERROR_RULE: RuleMeta = {
  id: 'parse-error',
  docs: { description: 'A file Crosswire reads could not be parsed (fully); findings that depend on it may be missing.', url: 'docs/rules/parse-error.md' },
  defaultSeverity: 'warning',
  fixable: false,
};

/** Engine diagnostics about the configuration and suppression comments. */
export const INVALID_CONFIG_RULE: RuleMeta = {
  id: 'invalid-config',
  docs: { description: 'crosswire.config.json has an unknown key, an unknown rule id or a value of the wrong shape.', url: 'docs/rules/invalid-config.md' },
  defaultSeverity: 'warning',
  fixable: false,
};

export const UNUSED_SUPPRESSION_RULE: RuleMeta = {
  id: 'unused-suppression',
  docs: { description: 'A crosswire-disable directive that suppresses nothing (or names an unknown rule).', url: 'docs/rules/unused-suppression.md' },
  defaultSeverity: 'info',
  fixable: false,
};

export const ENGINE_RULES: readonly RuleMeta[] = [PARSE_ERROR_RULE, INVALID_CONFIG_RULE, UNUSED_SUPPRESSION_RULE];
