/**
 * Settings: `crosswire.rules` and `crosswire.exclude` mirror `crosswire.config.json` (the file wins). Read from
 * `workspace/didChangeConfiguration` into a configuration the engine merges under the workspace's files.
 */
import type { CrosswireConfig, Logger, SeveritySetting } from '../model/types';

/** The configuration the `crosswire` settings section gives (unknown severities are logged and dropped). */
export function configFromSettings(settings: unknown, logger: Logger): CrosswireConfig {
  const raw = (settings as { crosswire?: { rules?: unknown; exclude?: unknown } } | undefined)?.crosswire;
  const rules: Record<string, SeveritySetting> = {};
  if (raw?.rules && typeof raw.rules === 'object') {
    for (const [id, sev] of Object.entries(raw.rules as Record<string, unknown>)) {
      if (sev === 'off' || sev === 'info' || sev === 'warning' || sev === 'error') rules[id] = sev;
      else logger.warn(`crosswire: setting crosswire.rules.${id}: "${String(sev)}" is not off/info/warning/error`);
    }
  }
  const ignore = Array.isArray(raw?.exclude) ? (raw!.exclude as unknown[]).filter((x): x is string => typeof x === 'string') : [];
  return { rules, ignore, replicas: [], hosts: {}, maxConnections: {} };
}
