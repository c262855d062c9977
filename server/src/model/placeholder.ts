/**
 * Placeholder secrets: defaults copied from tutorials, templates and framework docs, meant to be replaced.
 * Shared by the code parsers (a comparison with a placeholder is the app refusing it) and weak-secret.
 */
const PLACEHOLDER_PATTERNS: RegExp[] = [
  /^change[-_ .]?(me|it|this)/i, // change-me-in-production..., changeme, change_this
  /^replace[-_ .]?(me|with|this)/i,
  /^your[-_ .]/i, // your_very_secure_secret..., your-secret-here
  /^<[^>]*>$/, // <your-long-random-string>
  /^(secret|changeme|password|passw0rd|default|example|test|dev|development|supersecret|super[-_]secret|mysecret|my[-_]secret|keyboard cat|s3cr3t|todo|xxx+|null|undefined|none|123456\d*|qwerty)$/i,
  /^(generate|insert|put|enter|add)[-_ ]/i, // generate-with-openssl..., insert-secret-here
  /(^|[-_ ])(placeholder|here)$/i, // secret-here, some_placeholder
];

export function isPlaceholder(value: string): boolean {
  const v = value.trim();
  return PLACEHOLDER_PATTERNS.some((re) => re.test(v));
}

/**
 * Cheap pre-filter for source files that may compare a value with a placeholder (`value == "changethis"`): only the
 * distinctive "change me / replace me / your-..." forms, so that ordinary comparisons never make a file worth keeping.
 */
export const GUARD_HINT = /(==|!=)\s*["'](change|replace|your)|["'](change|replace|your)[^"'\n]{0,80}["']\s*(==|!=)/i;

/** A literal worth recording as a guard: a distinctive placeholder (not `test`, `dev`, `none`: common comparands). */
export function isGuardedPlaceholder(value: string): boolean {
  return /^(change[-_ .]?(me|it|this)|replace[-_ .]?(me|with|this)|your[-_ .])/i.test(value.trim()) && isPlaceholder(value);
}
