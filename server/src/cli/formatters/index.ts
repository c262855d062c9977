import type { Formatter } from './common';
import { formatJson } from './json';
import { formatSarif } from './sarif';
import { formatText } from './text';

export * from './common';
export { formatJson, toJsonFindings } from './json';
export { formatSarif, toSarif, SARIF_SCHEMA } from './sarif';
export { formatText } from './text';

export const FORMATS = ['text', 'json', 'sarif'] as const;
export type FormatName = (typeof FORMATS)[number];

export const formatters: Record<FormatName, Formatter> = {
  text: formatText,
  json: formatJson,
  sarif: formatSarif,
};
