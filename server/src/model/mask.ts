import { createHash } from 'node:crypto';

/**
 * A secret is never shown. Its mask is a short fingerprint (the first 6 hex characters of its
 * SHA-256) so that a user can tell two secrets apart, or see that two are equal, without seeing either.
 */
export function mask(secret: string): string {
  return `sha256:${createHash('sha256').update(secret, 'utf8').digest('hex').slice(0, 6)}`;
}

/**
 * Whether a key reads like a variable name that a message may quote (`NEXTAUTH_SECRET`, `apiKey`,
 * `S3_BUCKET`, `app.port`), rather than text that may be part of a secret which dotenv happened to
 * parse as a key (a base64 or hex line: `MIIEowIBAAKCAQEA...`, `d41d8cd98f00b204`). A name is at
 * most 64 characters; each of its words (split at `_`, `.` and `-`) is at most 20 characters, has
 * at most 2 digits when it mixes digits with letters and at most 4 when it is all digits, and at most
 * 3 capitals and twice as many small letters when it mixes cases (camelCase, not random case). Such a word holds no 8 characters of
 * a random secret in practice; anything else is shown only by its length.
 */
export function isPlainName(key: string): boolean {
  if (typeof key !== 'string' || key.length === 0 || key.length > 64) return false;
  if (!/^[A-Za-z0-9_.-]+$/.test(key)) return false;
  for (const w of key.split(/[_.-]+/)) {
    if (w.length > 20) return false;
    const digits = w.replace(/\D/g, '').length;
    if (digits === w.length ? digits > 4 : digits > 2) return false;
    const upper = w.replace(/[^A-Z]/g, '').length;
    const lower = w.replace(/[^a-z]/g, '').length;
    if (upper > 0 && lower > 0 && (upper > 3 || lower < 2 * upper)) return false;
  }
  return true;
}

/** A key for display (hover headings): itself when it reads like a name, else its length and fingerprint. */
export function displayKey(key: string): string {
  return isPlainName(key) ? key : `a ${key.length}-character key (${mask(key)})`;
}
